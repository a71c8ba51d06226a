"""nbgrader configuration for the course.

The repository root is the nbgrader course root. nbgrader handles the workflow
(generate, release, collect, gradebook, formgrader, feedback); the verdicts come
from the `autograder` engine, plugged into nbgrader's autograde pipeline below.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "pytorch-redes-neurais"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

# Stubs and prompts the students see, in Portuguese.
c.ClearSolutions.code_stub = {"python": "# SEU CÓDIGO AQUI\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "ESCREVA SUA RESPOSTA AQUI"

# The engine judges the submission; see autograder/nbgrader_plugin.
from autograder.nbgrader_plugin import configure  # noqa: E402

configure(c)
