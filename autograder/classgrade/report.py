"""`autograder report ASSIGNMENT`: an HTML page about the class's results.

Score distribution per exercise (plots), the most frequent failed checks with
their messages, the students whose submissions are not graded yet, and, once
`autograder similarity` has run, the most alike pairs of submissions. Reads
the autograded notebooks' metadata, so it works after `autograder autograde`
and after `nbgrader autograde` alike.
"""

import base64
import html
import io
from collections import Counter
from pathlib import Path

import nbformat

from ..course import get_assignment
from ..engine.results import read_record
from ..similarity.report import saved_section
from .autograde import already_graded, autograded_path, find_submissions, load_coursedir


def collect(course_root, assignment_id):
    coursedir = load_coursedir(course_root)
    assignment = get_assignment(assignment_id)
    scores = {e.id: [] for e in assignment.exercises}
    failures, examples, pending, graded = Counter(), {}, [], 0
    for sub in find_submissions(coursedir, assignment.id):
        if not already_graded(coursedir, sub):
            pending.append(sub.student)
            continue
        record = read_record(nbformat.read(autograded_path(coursedir, sub), as_version=4))
        graded += 1
        for exercise in assignment.exercises:
            scores[exercise.id].append(record.exercise_score(exercise.id))
            for check in record.checks.get(exercise.id, []):
                if check.message:
                    failures[(exercise.id, check.name)] += 1
                    examples.setdefault((exercise.id, check.name), check.message)
    return assignment, scores, failures, examples, pending, graded


def histograms(assignment, scores):
    """One histogram per exercise, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(assignment.exercises)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), squeeze=False)
    for ax, exercise in zip(axes[0], assignment.exercises):
        values = scores[exercise.id]
        bins = [x / 4 - 0.125 for x in range(int(exercise.points * 4) + 2)]
        ax.hist(values, bins=bins, color="#3b7dd8", edgecolor="white")
        ax.set_title(f"{exercise.number}. {exercise.id}", fontsize=9)
        ax.set_xlabel(f"pontos (de {exercise.points:g})", fontsize=8)
        ax.set_xlim(-0.25, exercise.points + 0.25)
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0][0].set_ylabel("alunos")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def render(assignment, scores, failures, examples, pending, graded, top=15, extra=""):
    png = base64.b64encode(histograms(assignment, scores)).decode()
    e = html.escape
    rows = "".join(
        f"<tr><td>{ex}</td><td><code>{e(name)}</code></td><td>{count}</td><td>{e(examples[(ex, name)])}</td></tr>"
        for (ex, name), count in failures.most_common(top)
    )
    means = "".join(
        f"<tr><td>{x.number}. {e(x.title)}</td><td>{(sum(scores[x.id]) / len(scores[x.id]) if scores[x.id] else 0):.2f}"
        f" / {x.points:g}</td></tr>"
        for x in assignment.exercises
    )
    waiting = "".join(f"<li>{e(s)}</li>" for s in pending) or "<li>nenhum</li>"
    return f"""<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Relatório — {e(assignment.id)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style></head><body>
<h1>Relatório da turma — {e(assignment.id)}</h1>
<p id="counts">{graded} envio(s) corrigido(s); {len(pending)} aguardando correção.</p>
<h2>Distribuição das notas por exercício</h2>
<img id="histograms" style="max-width:100%" alt="histogramas das notas por exercício" src="data:image/png;base64,{png}">
<h2>Média por exercício</h2><table id="means"><tr><th>exercício</th><th>média</th></tr>{means}</table>
<h2>Verificações que mais falharam</h2>
<table id="failures"><tr><th>exercício</th><th>verificação</th><th>alunos</th><th>exemplo de mensagem</th></tr>{rows}</table>
<h2>Ainda não corrigidos</h2><ul id="pending">{waiting}</ul>
{extra}
</body></html>
"""


def build_report(course_root, assignment_id, output=None):
    assignment, scores, failures, examples, pending, graded = collect(course_root, assignment_id)
    output = Path(output or Path(load_coursedir(course_root).root) / "reports" / f"{assignment.id}.html")
    output.parent.mkdir(parents=True, exist_ok=True)
    similar = saved_section(course_root, assignment.id)  # "" until `autograder similarity` has run
    output.write_text(render(assignment, scores, failures, examples, pending, graded, extra=similar), encoding="utf-8")
    return output
