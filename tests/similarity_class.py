"""A synthesized class for measuring `autograder similarity`: independent solutions and planted copies.

Independent students write each function of each exercise their own way: an
implementation drawn from the correct alternatives in ``tests/cases/`` (and the
instructor's), then the habits of the author: intermediate variables, a call
pulled out of an expression, an ``import`` on top, a debugging ``print``,
comments, keeping or dropping the stub's signature line and docstring. Every
change keeps the meaning, so each independent solution still earns full marks
(``check_correct`` judges them). A few students hand in the untouched stubs,
or only part of the work.

Planted copies take another student's whole submission and disguise it:

- ``renamed``: every local variable and helper function renamed (formatting and comments kept);
- ``reformatted``: other indentation, spacing, line breaks, quotes, blank lines;
- ``reordered``: the functions of each cell in another order;
- ``comments``: comments and docstrings removed, others written;
- ``all``: all four at once;
- ``partial``: only some exercises copied (renamed), the rest the copier's own.

``python tests/similarity_class.py`` builds such a class for each assignment,
runs `autograder similarity` on it and prints precision and recall for a range
of thresholds, and recall per kind of disguise (what the README reports).
"""

import ast
import io
import itertools
import json
import random
import re
import subprocess
import sys
import tempfile
import tokenize
from collections import Counter
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import cases  # noqa: E402
from cases.common import Z_BUGGY  # noqa: E402

from autograder.course import (
    ASSIGNMENTS,  # noqa: E402
    EXERCISES,  # noqa: E402
)
from autograder.demo import personas  # noqa: E402
from autograder.engine.restore import grade_id, nbgrader_meta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("renamed", "reformatted", "reordered", "comments", "all", "partial")
COMMENTS = [
    "# converte para float32",
    "# calcula o gradiente",
    "# um passo da descida",
    "# zera o gradiente",
    "# resultado",
    "# confere o formato",
    "# segundo o capítulo 10",
    "# TODO: revisar",
    "# cria o tensor",
    "# sem in-place aqui",
    "# no dispositivo certo",
    "# perda da época",
]
MODULES = {"torch", "np", "nn", "F", "numpy"}
#: written answers (markdown solution cells): each student picks a phrasing per point, or skips a point
PROSE = [
    [
        "O exp() guarda a própria saída para usar no backward, porque a derivada de exp(t) é exp(t).",
        "Para calcular o gradiente, o autograd reaproveita o resultado de exp(t), que ele salvou no forward.",
        "A função exponencial salva o tensor de saída, já que a derivada dela é ela mesma.",
    ],
    [
        "O z += 1 modifica esse tensor in-place e aumenta o contador de versão dele.",
        "Quando fazemos z += 1, o valor salvo é alterado no mesmo lugar da memória.",
        "A operação in-place muda o tensor que o backward precisava, e a versão dele passa de 0 para 1.",
    ],
    [
        "Por isso o backward levanta um RuntimeError: o tensor salvo mudou de versão.",
        "O autograd detecta a mudança e dá erro em vez de calcular um gradiente errado.",
        "Na hora do backward() aparece o erro de que uma variável necessária foi modificada por uma operação in-place.",
    ],
    [
        "A correção é criar um tensor novo com t.exp() + 1.",
        "Basta trocar por z = z + 1, que não altera o tensor salvo.",
        "Usando uma soma fora do lugar o problema some.",
    ],
]
NAMES = [
    "tmp",
    "aux",
    "valor",
    "resultado",
    "saida",
    "entrada",
    "dados",
    "t1",
    "t2",
    "k",
    "val",
    "res",
    "out",
    "arr",
    "ten",
    "vetor",
    "matriz",
    "grad",
    "perda",
    "erro",
    "passo",
    "atual",
    "novo",
    "temp",
    "item",
    "acc",
]


# --------------------------------------------------------------------------- the pool of implementations


def stubs(assignment):
    """{exercise: {function name: (signature line, docstring line)}} from the release notebook."""
    nb = nbformat.read(ROOT / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not nbgrader_meta(cell).get("solution"):
            continue
        lines = cell.source.splitlines()
        out[grade_id(cell)] = {
            re.match(r"def (\w+)", line).group(1): (line, lines[i + 1])
            for i, line in enumerate(lines)
            if line.startswith("def ")
        }
    return out


def pool(assignment):
    """{exercise: {function: [(preamble statements, function source)]}}: every correct way we know."""
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    reference = personas.reference_answers(source)
    required = stubs(assignment)
    out = {}
    for exercise in ASSIGNMENTS[assignment].exercises:
        ways = [reference[exercise.id]] + [code for _, code in cases(exercise.id).CORRECT]
        table = out.setdefault(exercise.id, {name: [] for name in required[exercise.id]})
        for code in ways:
            tree = ast.parse(code)
            defs = {
                n.name: ast.get_source_segment(code, n, padded=False)
                for n in tree.body
                if isinstance(n, ast.FunctionDef)
            }
            decorated = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.decorator_list}
            for name in decorated:  # keep the decorator with its function
                node = decorated[name]
                defs[name] = "\n".join(code.splitlines()[node.decorator_list[0].lineno - 1 : node.end_lineno])
            preamble = [ast.get_source_segment(code, n) for n in tree.body if not isinstance(n, ast.FunctionDef)]
            helpers = [src for name, src in defs.items() if name not in table and name != "z_buggy"]
            for name in table:
                if name in defs and (tuple(preamble + helpers), defs[name]) not in table[name]:
                    table[name].append((tuple(preamble + helpers), defs[name]))
    return out


# --------------------------------------------------------------------------- an author's habits (meaning kept)


def author_style(rng):
    """How often one author does each thing: habits differ between students, and hold within one."""
    return {
        "temp_return": rng.uniform(0, 0.6),
        "hoist": rng.uniform(0, 0.5),
        "inline": rng.uniform(0, 0.8),
        "print": rng.uniform(0, 0.5),
        "comment": rng.uniform(0, 0.3),
        "header": rng.uniform(0.5, 1.0),
        "import": rng.uniform(0, 0.4),
    }


def _loads_and_stores(func):
    loads, stores = Counter(), Counter()
    for node in ast.walk(func):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores)[node.id] += 1
    return loads, stores


SIMPLE = (ast.Assign, ast.AugAssign, ast.Return, ast.Expr)
OPAQUE = (
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.BoolOp,
    ast.IfExp,
    ast.NamedExpr,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.Starred,
)


class _Habits:
    """Rewrites a function the way one author would; every rewrite keeps the meaning:

    - inline: ``y_pred = X @ w + b`` used once, in the next statement, goes into it;
    - hoist: a call or an operation inside a statement becomes a variable first (``passo = lr * w.grad``);
    - temp_return: ``resultado = EXPR; return resultado``;
    - print: a debugging print every 10 iterations of a training loop.
    """

    def __init__(self, rng, style, taken):
        self.rng, self.style, self.taken = rng, style, set(taken)

    def fresh(self):
        name = next((n for n in self.rng.sample(NAMES, len(NAMES)) if n not in self.taken), None)
        name = name or f"v{len(self.taken)}"
        self.taken.add(name)
        return name

    def rewrite(self, func):
        self.func = func
        func.body = self.block(func.body)

    def block(self, stmts):
        for st in stmts:
            for name in ("body", "orelse", "finalbody"):
                if isinstance(getattr(st, name, None), list) and not isinstance(st, (ast.FunctionDef, ast.ClassDef)):
                    setattr(st, name, self.block(getattr(st, name)))
        stmts = self.inline(stmts)
        out = []
        for st in stmts:
            out.extend(self.statement(st))
        return out

    def inline(self, stmts):
        loads, stores = _loads_and_stores(self.func)
        out, i = [], 0
        while i < len(stmts):
            st = stmts[i]
            nxt = stmts[i + 1] if i + 1 < len(stmts) else None
            if (
                isinstance(st, ast.Assign)
                and len(st.targets) == 1
                and isinstance(st.targets[0], ast.Name)
                and isinstance(nxt, SIMPLE)
                and not any(isinstance(n, OPAQUE) for n in ast.walk(nxt))
                and loads[st.targets[0].id] == 1
                and stores[st.targets[0].id] == 1
                and any(isinstance(n, ast.Name) and n.id == st.targets[0].id for n in ast.walk(nxt))
                and self.rng.random() < self.style["inline"]
            ):
                name, value = st.targets[0].id, st.value

                class Put(ast.NodeTransformer):
                    def visit_Name(self, node):
                        return value if node.id == name and isinstance(node.ctx, ast.Load) else node

                out.append(Put().visit(nxt))
                i += 2
                continue
            out.append(st)
            i += 1
        return out

    def statement(self, st):
        if (
            isinstance(st, ast.Return)
            and st.value is not None
            and not isinstance(st.value, (ast.Name, ast.Constant, ast.Tuple))
            and self.rng.random() < self.style["temp_return"]
        ):
            name = self.fresh()
            return [ast.Assign([ast.Name(name, ast.Store())], st.value), ast.Return(ast.Name(name, ast.Load()))]
        if (
            isinstance(st, SIMPLE)
            and getattr(st, "value", None) is not None
            and not any(isinstance(n, OPAQUE) for n in ast.walk(st))
            and self.rng.random() < self.style["hoist"]
        ):
            inner = [n for n in ast.walk(st.value) if isinstance(n, (ast.Call, ast.BinOp)) and n is not st.value]
            if inner:
                node = self.rng.choice(inner)
                name = self.fresh()

                class Take(ast.NodeTransformer):
                    def visit(self, n):
                        return ast.Name(name, ast.Load()) if n is node else super().visit(n)

                Take().visit(st)
                return [ast.Assign([ast.Name(name, ast.Store())], node), st]
        if (
            isinstance(st, ast.For)
            and isinstance(st.target, ast.Name)
            and st.target.id != "_"
            and self.rng.random() < self.style["print"]
        ):
            losses = [n.id for n in ast.walk(st) if isinstance(n, ast.Name) and n.id in ("loss", "f")]
            if losses:
                st.body.append(
                    ast.parse(f"if {st.target.id} % 10 == 0:\n    print({st.target.id}, float({losses[0]}))").body[0]
                )
        return [st]


def author_function(src, rng, header, style):
    """``src`` (one function) rewritten with an author's habits, under the stub's header or its own."""
    tree = ast.parse(src)
    func = tree.body[0]
    use_header = header and rng.random() < style["header"] and not func.decorator_list  # the stub's signature
    if use_header and ast.get_docstring(func) is not None:
        func.body = func.body[1:]
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {a.arg for a in func.args.args}
    _Habits(rng, style, taken).rewrite(func)
    lines = ast.unparse(ast.fix_missing_locations(tree)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def ")) + 1
    if use_header:
        lines = [header[0], header[1], *lines[start:]]
        start = 2
    elif ast.get_docstring(func) is not None:
        start += 1
    out = lines[:start]
    for line in lines[start:]:
        if line.strip() and rng.random() < style["comment"]:
            out.append(" " * (len(line) - len(line.lstrip())) + rng.choice(COMMENTS))
        out.append(line)
    return "\n".join(out) + "\n"


def written_cells(assignment):
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return [grade_id(c) for c in source.cells if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")]


def independent_answers(assignment, rng, functions, headers):
    """{solution cell: text}: one student's own solutions (and written answers)."""
    answers = {
        cell: " ".join(rng.choice(point) for point in PROSE if rng.random() < 0.85)
        for cell in written_cells(assignment)
    }
    style = author_style(rng)
    for exercise in ASSIGNMENTS[assignment].exercises:
        preamble, bodies = [], []
        for name, ways in functions[exercise.id].items():
            pre, src = rng.choice(ways)
            preamble += [p for p in pre if p not in preamble]
            bodies.append(author_function(src, rng, headers[exercise.id].get(name), style))
        if rng.random() < style["import"]:
            preamble.insert(0, "import torch")
        answers[exercise.id] = "\n".join(preamble + [""] if preamble else []) + "\n\n".join(bodies)
    return answers


# --------------------------------------------------------------------------- disguises for the copies


def _locals(code):
    """Names a copier can rename without changing the meaning: locals and helper functions."""
    tree = ast.parse(code)
    required = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    params = {a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    helpers = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
    return (stored - params - MODULES - required) | helpers


def rename(code, rng):
    names = sorted(_locals(code))
    new = rng.sample([n + "_" for n in NAMES] + [f"x{i}" for i in range(40)], len(names))
    mapping = dict(zip(names, new))
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.NAME and tok.string in mapping and not (previous and previous.string == "."):
            tok = tok._replace(string=mapping[tok.string])
        out.append(tok)
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok
    return tokenize.untokenize(out)


def reformat(code, rng):
    """Same tokens, another layout: indentation, spaces, line breaks inside brackets, quotes, blank lines."""
    indent_unit = rng.choice(["  ", "\t", "        "])
    tight = rng.random() < 0.5
    lines, line, depth, brackets = [], "", 0, 0
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    for i, tok in enumerate(tokens):
        kind, s = tok.type, tok.string
        if kind == tokenize.INDENT:
            depth += 1
            continue
        if kind == tokenize.DEDENT:
            depth -= 1
            continue
        if kind in (tokenize.NEWLINE, tokenize.NL):
            if line.strip() or kind == tokenize.NEWLINE:
                lines.append(line.rstrip())
                if kind == tokenize.NEWLINE and rng.random() < 0.25:
                    lines.append("")
            line = ""
            continue
        if kind == tokenize.ENDMARKER:
            break
        if not line:
            line = indent_unit * (depth + (1 if brackets else 0))
        if kind == tokenize.STRING and s.startswith('"') and "'" not in s and not s.startswith('"""'):
            s = "'" + s[1:-1] + "'"
        if kind == tokenize.COMMENT:
            line += "  " + s
            continue
        if kind == tokenize.OP and s in "([{":
            brackets += 1
        if kind == tokenize.OP and s in ")]}":
            brackets -= 1
        prev = line[-1:] if line.strip() else ""
        glue = ""
        if not prev:
            pass  # the start of a line: the indentation only
        elif prev and (prev.isalnum() or prev in "_'\"") and (s[:1].isalnum() or s[:1] in "_'\""):
            glue = " "
        elif (
            kind == tokenize.OP
            and s in ("=", "+", "-", "*", "/", "@", "**", "==", "<", ">", "+=", "-=", "%", "<=", ">=", "->", "!=")
            and not tight
        ):
            glue = " "
        elif prev in ("=", "+", "*", "/", "@", ">", "<", "%") and not tight and kind != tokenize.OP:
            glue = " "
        elif prev == "," or prev == ":" and kind != tokenize.OP:
            glue = " "
        line += glue + s
        if kind == tokenize.OP and s == "," and brackets and rng.random() < 0.3 and tokens[i + 1].string not in ")]}":
            lines.append(line.rstrip())
            line = ""
    return "\n".join(lines) + "\n"


def reorder(code, rng):
    """The cell's top-level functions in another order (other statements stay on top)."""
    tree = ast.parse(code)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(functions) < 2:
        return code
    lines = code.splitlines()
    segment = lambda n: "\n".join(
        lines[
            (n.decorator_list[0].lineno if n.decorator_list else n.lineno) - 1 :   # noqa
            n.end_lineno
        ]
    )
    others = [ast.get_source_segment(code, n) for n in tree.body if not isinstance(n, ast.FunctionDef)]
    order = functions[::-1] if len(functions) == 2 else rng.sample(functions, len(functions))
    while order == functions:
        order = rng.sample(functions, len(functions))
    return "\n".join(others + [""] if others else []) + "\n\n\n".join(segment(n) for n in order) + "\n"


def recomment(code, rng):
    """Comments and docstrings gone; other comments written."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            node.body[0].value.value = rng.choice(["Minha solução.", "Feito em aula.", "ver capítulo 10"])
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type != tokenize.COMMENT:
            out.append(tok)
    lines = tokenize.untokenize(out).splitlines()
    result = []
    for line in lines:
        if line.strip() and rng.random() < 0.3 and not line.rstrip().endswith(("(", ",", "\\")):
            line = line.rstrip() + "  " + rng.choice(COMMENTS)
        result.append(line)
    return "\n".join(result) + "\n"


def disguise(answers, kind, rng):
    out = {}
    for exercise, code in answers.items():
        if exercise not in EXERCISES:  # a written answer: copied as it is, or lower-cased
            out[exercise] = code.lower() if kind == "all" else code
            continue
        if kind in ("renamed", "all", "partial"):
            code = rename(code, rng)
        if kind in ("comments", "all"):
            code = recomment(code, rng)
        if kind in ("reordered", "all"):
            code = reorder(code, rng)
        if kind in ("reformatted", "all"):
            code = reformat(code, rng)
        ast.parse(code)  # still Python
        out[exercise] = code
    return out


# --------------------------------------------------------------------------- the class


def synthesize(assignment, n_independent=40, copies_per_kind=3, n_stubs=3, n_unfinished=3, seed=0):
    """({student: {exercise: code}}, {copy: source}): a class and which students copied whom."""
    rng = random.Random(seed)
    functions, headers = pool(assignment), stubs(assignment)
    students = {f"ind{i:03d}": independent_answers(assignment, rng, functions, headers) for i in range(n_independent)}
    exercises = [e.id for e in ASSIGNMENTS[assignment].exercises]
    for i in range(n_unfinished):  # started, then stopped: the rest are stubs
        answers = independent_answers(assignment, rng, functions, headers)
        students[f"unf{i:03d}"] = {e: answers[e] for e in exercises[: rng.randint(1, len(exercises) - 1)]}
    for i in range(n_stubs):
        students[f"stub{i:03d}"] = {}
    copied = {}
    sources = rng.sample(sorted(s for s in students if s.startswith("ind")), len(KINDS) * copies_per_kind)
    for j, (kind, source) in enumerate(zip(itertools.cycle(KINDS), sources)):
        answers = disguise(students[source], kind, rng)
        if kind == "partial":
            own = independent_answers(assignment, rng, functions, headers)
            keep = set(rng.sample(exercises, max(1, len(exercises) // 2)))
            answers = {e: (answers[e] if e in keep else own[e]) for e in own}
        copy_name = f"cp{j:02d}_{kind}"
        students[copy_name] = answers
        copied[copy_name] = source
    return students, copied


def positives(copied):
    """Pairs that share work: each copy with its source, and copies of the same source with each other."""
    groups = {}
    for copy_name, source in copied.items():
        groups.setdefault(source, {source}).add(copy_name)
    return {tuple(sorted(p)) for group in groups.values() for p in itertools.combinations(sorted(group), 2)}


def kind_of(pair, copied):
    for name in pair:
        if name in copied:
            return name.split("_", 1)[1]
    return None


def check_correct(assignment, students):
    """{student: [exercises that lose points]} for the independent students (all must be empty)."""
    import numpy as np
    import torch
    import torch.nn as nn

    from autograder.check import judge_in_process

    wrong = {}
    for student, answers in students.items():
        if not student.startswith("ind"):
            continue
        for exercise, code in answers.items():
            if exercise not in EXERCISES:
                continue  # a written answer
            namespace = {"torch": torch, "np": np, "nn": nn, "__name__": "__main__"}
            exec(compile((Z_BUGGY if exercise == "fix_inplace" else "") + code, student, "exec"), namespace)
            result = judge_in_process(exercise, namespace, 0)
            if result.score < result.max_score:
                wrong.setdefault(student, []).append(exercise)
    return wrong


def place(course, assignment, students):
    """The students' notebooks in the course's submitted/ folder (the release, answers filled in)."""
    for student, answers in students.items():
        nb = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
        personas.fill(nb, answers)
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")


def make_course(work):
    """A course with the release and the sources only: `autograder similarity` needs nothing else."""
    import shutil

    course = Path(work) / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copytree(ROOT / "assignments", course / "assignments")
    return course


def measure(pairs, copied, threshold):
    """(true positives, flagged, planted, {kind: (found, planted)}) at ``threshold``."""
    truth = positives(copied)
    flagged = {tuple(sorted((p["a"], p["b"]))) for p in pairs if p["score"] >= threshold}
    per_kind = {}
    for pair in truth:
        found, planted = per_kind.get(kind_of(pair, copied), (0, 0))
        per_kind[kind_of(pair, copied)] = (found + (pair in flagged), planted + 1)
    return len(flagged & truth), len(flagged), len(truth), per_kind


def run_similarity(course, assignment, *extra):
    """`autograder similarity` on the course; its saved result (every compared pair's scores)."""
    autograder = str(Path(sys.executable).parent / "autograder")
    proc = subprocess.run([autograder, "similarity", assignment, *extra], cwd=course, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"autograder similarity failed ({proc.returncode}): {proc.stderr}")
    return json.loads((course / "reports" / f"{assignment}.similarity.json").read_text())


def evaluate(assignment, seed, work, **class_options):
    """(scores as pair dicts, copied, students, result) for one synthesized class."""
    course = make_course(Path(work) / f"{assignment}-{seed}")
    students, copied = synthesize(assignment, seed=seed, **class_options)
    place(course, assignment, students)
    result = run_similarity(course, assignment)
    pairs = [{"a": a, "b": b, "score": score} for a, b, score, _, _ in result["scores"]]
    return pairs, copied, students, result


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(
        description="precision and recall of `autograder similarity` on synthesized classes"
    )
    parser.add_argument("--seeds", default="4,5,6", help="classes to build (the threshold was chosen on 1,2,3)")
    parser.add_argument("--independent", type=int, default=40, help="independent students per class")
    args = parser.parse_args(argv)
    seeds = [int(x) for x in args.seeds.split(",")]
    thresholds = [0.5, 0.6, 0.7, 0.8, 0.9]  # 0.7 chosen on seeds 1,2,3: see the README
    with tempfile.TemporaryDirectory(prefix="similarity-") as work:
        for assignment in ASSIGNMENTS:
            runs = [evaluate(assignment, seed, work, n_independent=args.independent) for seed in seeds]
            _, copied, students, result = runs[0]
            n, truth = len(students), positives(copied)
            print(
                f"\n{assignment}: {len(seeds)} classes (seeds {args.seeds}) of {n} submissions: "
                f"{args.independent} independent correct, {n - args.independent - len(copied)} stubs or unfinished, "
                f"{len(copied)} planted copies ({len(truth)} copied pairs among {n * (n - 1) // 2}); "
                f"{result['stats']['seconds']:.1f} s per class"
            )
            by_kind = {}
            negatives = 0.0
            for pairs, copied, _, _ in runs:
                truth = positives(copied)
                scored = {tuple(sorted((p["a"], p["b"]))): p["score"] for p in pairs}
                negatives = max([negatives] + [v for k, v in scored.items() if k not in truth])
                for pair in truth:
                    by_kind.setdefault(kind_of(pair, copied), []).append(scored.get(pair, 0.0))
            print(
                f"  highest score of a pair that did not copy: {negatives:.2f}; copied pairs score "
                + ", ".join(f"{k} {min(v):.2f}-{max(v):.2f}" for k, v in sorted(by_kind.items()))
            )
            print(f"  {'threshold':>9} {'precision':>10} {'recall':>7} {'false':>6}   found/planted per kind of copy")
            for t in thresholds:
                hits = flagged = planted = 0
                kinds = {}
                for pairs, copied, _, _ in runs:
                    h, f, p, per_kind = measure(pairs, copied, t)
                    hits, flagged, planted = hits + h, flagged + f, planted + p
                    for kind, (found, total) in per_kind.items():
                        kinds[kind] = (kinds.get(kind, (0, 0))[0] + found, kinds.get(kind, (0, 0))[1] + total)
                detail = "  ".join(f"{k} {f}/{p}" for k, (f, p) in sorted(kinds.items()))
                print(
                    f"  {t:>9.2f} {hits / flagged if flagged else 1:>10.2f} {hits / planted:>7.2f} "
                    f"{flagged - hits:>6}   {detail}"
                )


if __name__ == "__main__":
    main()
