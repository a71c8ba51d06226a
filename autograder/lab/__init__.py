"""JupyterLab for the course: `make lab` (``python -m autograder.lab``) and our server extension.

- ``seed``: the demo state (course copy, local exchange, simulated students);
- ``server``: start/stop a real ``jupyter lab`` (launcher, browser tests, benchmark);
- ``extension``: the ``autograder.lab`` Jupyter server extension (formgrader
  actions and Validate off the event loop; nbgrader 0.9 front-end fixes);
- ``worker``: the process those actions run in.
"""


def _jupyter_server_extension_points():
    return [{"module": "autograder.lab.extension"}]
