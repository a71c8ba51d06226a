"""Scores and messages that must not change when the engine is reorganised.

`python tests/golden.py --write` grades the demo's three students and a
synthesized class (the bench's recipe: reference, correct variants, typical
mistakes, stubs) with a fixed course secret, and stores each submission's
answers with its per-exercise scores and messages in tests/golden/scores.json.
`tests/test_golden.py` rebuilds the same notebooks from the stored answers,
grades them again and compares. The answers are stored, not regenerated, so
later additions to tests/cases/ do not change the class: `--write` keeps the
stored answers of the submissions already in the file (and draws only the new
ones), so a deliberate change of a verdict shows as a changed verdict on the
same answers; it lists them, and the commit says why. `--new-answers` draws
the whole class again.
"""

import argparse
import json
import random
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_class import synthesize  # noqa: E402
from support import ROOT, reference_answers, write_submission  # noqa: E402

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.demo import personas  # noqa: E402

GOLDEN = HERE / "golden" / "scores.json"
SECRET = b"golden-secret-do-curso"
CLASS_SIZE = 12  # per assignment, on top of the demo's three students


def submissions():
    """(name, assignment, answers) for the demo's students and the synthesized class."""
    rng = random.Random(0)
    for assignment in ASSIGNMENTS:
        reference = reference_answers(assignment)
        yield f"demo-ana/{assignment}", assignment, reference
        yield f"demo-bruno/{assignment}", assignment, {}
        mistakes = {e.id: personas.mistakes()[e.id] for e in ASSIGNMENTS[assignment].exercises}
        yield f"demo-carla/{assignment}", assignment, {**reference, **mistakes}
        for name, answers in synthesize(assignment, CLASS_SIZE, rng):
            yield f"class-{name}/{assignment}", assignment, answers


def verdict(grade):
    return {e.id: {"score": e.score, "messages": e.messages} for e in grade.exercises}


def grade_all(entries, workers=2):
    """name -> verdict, grading each stored answer set in the sandbox with the fixed secret."""
    from autograder.engine import grade_notebook
    from autograder.settings import resolve

    settings = resolve(course_root=ROOT, secret=SECRET)
    settings.launcher  # noqa: B018 - made once, before the threads
    with tempfile.TemporaryDirectory() as tmp:

        def one(entry):
            name, assignment, answers = entry
            folder = Path(tmp) / name.replace("/", "__")
            folder.mkdir()
            path = write_submission(folder, assignment, answers)
            return name, verdict(grade_notebook(path, assignment, settings))

        with ThreadPoolExecutor(workers) as pool:
            return dict(pool.map(one, entries))


def load():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="grade and (re)write tests/golden/scores.json")
    parser.add_argument("--new-answers", action="store_true", help="with --write: draw every answer set again")
    args = parser.parse_args()
    if args.write:
        stored = {} if args.new_answers or not GOLDEN.exists() else {d["name"]: d for d in load()}
        entries = [(n, a, stored[n]["answers"] if n in stored else ans) for n, a, ans in submissions()]
        results = grade_all(entries)
        data = [{"name": n, "assignment": a, "answers": ans, "verdict": results[n]} for n, a, ans in entries]
        for name, _, _ in entries:
            if name in stored and stored[name]["verdict"] != results[name]:
                print(f"changed: {name}")
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{len(data)} submissions written to {GOLDEN}")
        return 0
    data = load()
    results = grade_all([(d["name"], d["assignment"], d["answers"]) for d in data])
    changed = [d["name"] for d in data if results[d["name"]] != d["verdict"]]
    for name in changed:
        print(f"changed: {name}")
    print(f"{len(data) - len(changed)}/{len(data)} identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
