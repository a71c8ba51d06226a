"""The class report's "Envios parecidos" section, and the terminal summary, from a saved comparison.

Everything shown comes from students (their code, their prose, even their
folder names): all of it goes through ``html.escape``, and the highlighting is
built here from plain (start, end) offsets, so no student text is ever markup.
"""

import html

from .store import load, submissions_changed

e = html.escape

STYLE = """<style>
#similarity table td.score{text-align:right} #similarity tr.flagged td{background:#fdecea}
#similarity .pair{margin:1em 0;border:1px solid #ccc;padding:4px 8px}
#similarity .cells{display:flex;gap:8px} #similarity .cells>div{flex:1;min-width:0}
#similarity pre{background:#f7f7f7;padding:6px;overflow-x:auto;font-size:12px;white-space:pre-wrap}
#similarity mark{background:#ffd54f} #similarity .stale{color:#b00020}
</style>"""


def highlighted(text, ranges):
    """``text`` as escaped HTML with the ``ranges`` [(start, end)] in <mark>."""
    out, position = [], 0
    for start, end in sorted((max(0, s), min(len(text), t)) for s, t in ranges):
        if end <= position:
            continue
        start = max(start, position)
        out.append(e(text[position:start]))
        out.append(f"<mark>{e(text[start:end])}</mark>")
        position = end
    out.append(e(text[position:]))
    return "".join(out)


def percent(x):
    return f"{100 * x:.0f}%"


def section_html(result, changed=()):
    """The section for the class report (a string of HTML)."""
    stats, settings = result["stats"], result["settings"]
    flagged = [p for p in result["pairs"] if p["flagged"]]
    lines = [
        STYLE,
        '<section id="similarity"><h2>Envios parecidos</h2>',
        f'<p id="similarity-summary">Comparação de {e(result["created"])}: {stats["submissions"]} envios, '
        f"{stats['compared_pairs']} pares comparados; {len(flagged)} par(es) com semelhança ≥ "
        f"{percent(settings['threshold'])} (marcados). Só as células de solução, sem o código dado (stubs, "
        f"células bloqueadas, código do enunciado) nem trechos que mais de {settings['common']} envios têm em "
        "comum; nomes, comentários, espaços e ordem das funções não contam (copydetect, winnowing). "
        "Semelhança é um motivo para olhar, não um veredito.</p>",
    ]
    if changed:
        lines.append(
            f'<p class="stale">Atenção: {len(changed)} envio(s) mudaram depois desta comparação '
            f"({e(', '.join(changed[:10]))}{'…' if len(changed) > 10 else ''}): rode "
            f"<code>autograder similarity {e(result['assignment'])}</code> de novo.</p>"
        )
    if result.get("skipped"):
        lines.append(
            "<p>Não comparados (não são notebooks legíveis): "
            + ", ".join(f"{e(s)} ({e(r)})" for s, r in result["skipped"])
            + "</p>"
        )
    if result.get("truncated"):
        lines.append(
            "<p>Células grandes demais, comparadas só no começo: " + e(", ".join(result["truncated"])) + "</p>"
        )
    if not result["pairs"]:
        lines.append("<p>Nenhum par de envios tem trechos em comum.</p></section>")
        return "\n".join(lines)
    lines.append(
        '<table id="similarity-pairs"><tr><th>aluno A</th><th>aluno B</th><th>semelhança</th>'
        "<th>de A em B</th><th>de B em A</th><th>células em comum</th></tr>"
    )
    for i, p in enumerate(result["pairs"]):
        cells = ", ".join(f"{e(cell)} {percent(max(sa, sb))}" for cell, (sa, sb) in p["cells"].items())
        lines.append(
            f'<tr class="{"flagged" if p["flagged"] else ""}"><td><a href="#pair-{i}">{e(p["a"])}</a></td>'
            f'<td>{e(p["b"])}</td><td class="score">{percent(p["score"])}</td>'
            f'<td class="score">{percent(p["score_a"])}</td><td class="score">{percent(p["score_b"])}</td>'
            f"<td>{cells}</td></tr>"
        )
    lines.append("</table>")
    for i, p in enumerate(result["pairs"]):
        lines.append(
            f'<div class="pair" id="pair-{i}"><details{" open" if p["flagged"] else ""}><summary>'
            f"<b>{e(p['a'])}</b> × <b>{e(p['b'])}</b>: {percent(p['score'])}"
            f"{' (marcado)' if p['flagged'] else ''}</summary>"
        )
        for m in p["matches"]:
            where = (
                e(m["cell"]) + (f" · {e(m['unit'])}" if m["unit"] else "") + (" (texto)" if m["kind"] != "code" else "")
            )
            lines.append(
                f"<h4>{where}: {percent(m['score_a'])} de {e(p['a'])} em {e(p['b'])}, "
                f'{percent(m["score_b"])} de {e(p["b"])} em {e(p["a"])}</h4><div class="cells">'
                f"<div><pre>{highlighted(m['text_a'], m['shared_a'])}</pre></div>"
                f"<div><pre>{highlighted(m['text_b'], m['shared_b'])}</pre></div></div>"
            )
        lines.append("</details></div>")
    lines.append("</section>")
    return "\n".join(lines)


def saved_section(course_root, assignment_id):
    """The section from the last `autograder similarity` run, or "" if it never ran."""
    result = load(course_root, assignment_id)
    if result is None:
        return ""
    return section_html(result, submissions_changed(course_root, result))


def printable(name):
    """A student's name for the terminal: no control characters (escape sequences) from a folder name."""
    return "".join(ch if ch.isprintable() else "?" for ch in name)


def summary_lines(result, limit=20):
    """What `autograder similarity` prints: the flagged pairs (or the closest ones), one per line."""
    stats, settings = result["stats"], result["settings"]
    flagged = [p for p in result["pairs"] if p["flagged"]]
    lines = [
        f"{stats['submissions']} envios, {stats['compared_pairs']} pares comparados em {stats['seconds']:g} s; "
        f"{len(flagged)} par(es) com semelhança >= {percent(settings['threshold'])}"
    ]
    shown = flagged or result["pairs"][:5]
    if shown and not flagged:
        lines.append("os mais parecidos:")
    for p in shown[:limit]:
        a, b = printable(p["a"]), printable(p["b"])
        lines.append(
            f"  {percent(p['score']):>4}  {a} x {b}  "
            f"({percent(p['score_a'])} de {a} em {b}, {percent(p['score_b'])} de {b} em {a})"
        )
    if len(shown) > limit:
        lines.append(f"  ... e mais {len(shown) - limit} (veja o relatório)")
    for student, reason in result.get("skipped", []):
        lines.append(f"  não comparado: {printable(student)}: {printable(reason)}")
    return lines
