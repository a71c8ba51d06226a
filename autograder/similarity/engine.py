"""Which submissions are alike: copydetect's winnowing fingerprints, compared across a class.

Each unit (a function the stub asks for, or the rest of a solution cell; see
``extract``) is fingerprinted by copydetect (Schleimer, Wilkerson and Aiken's
winnowing, the algorithm behind MOSS): code is tokenized by Pygments, every
name becomes ``V``/``F``, strings ``S``, and comments and whitespace disappear,
so renaming and reformatting change nothing; a fingerprint is a hash of ``k``
consecutive characters of that. Then, per cell:

- fingerprints of what the students were given (the release's stub of that
  cell, whole and function by function, each locked code cell, each code
  quote of the instructions) are dropped;
- so are fingerprints found in more than ``common`` submissions (MOSS's ``-m``):
  code that many wrote alike, such as the textbook's idiom, is not evidence.

Two submissions are compared only if they share a remaining fingerprint (an
inverted index, so a big class costs far less than every pair), at most
``max_pairs`` pairs, those sharing the most. Units are compared by name
(copydetect's ``compare_files``), so functions in another order still meet. A
pair's score is the shared share of both submissions' fingerprinted code
together, over all code cells (JPlag's "average similarity"); the figures per
cell and per unit, with the shared stretches of both texts, go to the report.
"""

import copy
import io
import itertools
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

os.environ.setdefault("MPLBACKEND", "Agg")  # copydetect imports pyplot (for its own report): never a window
from copydetect import CodeFingerprint, compare_files  # noqa: E402
from copydetect.utils import get_token_coverage  # noqa: E402

# copydetect's own defaults (noise 25, guarantee 30); k = 15 and 20 did no better on the synthesized classes
NOISE = 25  # k: shared stretches shorter than this many filtered characters are ignored
WINDOW = 6  # winnowing window: stretches of NOISE + WINDOW - 1 characters are always found
THRESHOLD = 0.7  # flag a pair at or above this score: chosen on tests/similarity_class.py (README)
WORDS = re.compile(r"\w+")


@dataclass
class Comparison:
    threshold: float = THRESHOLD
    noise: int = NOISE
    window: int = WINDOW
    common: int = None  # fingerprints in more submissions than this are ignored; None: max(10, 5% of class)
    max_pairs: int = None  # pairs compared in detail; None: 50 per submission
    top: int = 30  # pairs shown in the report: every flagged pair, and the most alike up to this many

    def common_for(self, n):
        return self.common if self.common is not None else max(10, -(-n * 5 // 100))

    def max_pairs_for(self, n):
        return self.max_pairs if self.max_pairs is not None else 50 * n


@dataclass
class Match:
    """What two submissions share in one unit (a function, or the rest of a cell)."""

    cell: str
    unit: str
    kind: str
    score_a: float  # share of a's fingerprinted text found in b's
    score_b: float
    text_a: str  # the texts as compared (markdown: normalized), and the shared stretches
    text_b: str
    shared_a: list  # [(start, end)] in text_a
    shared_b: list


@dataclass
class Pair:
    a: str
    b: str
    score: float  # over all code: shared over compared, both ways together
    score_a: float  # over all code: how much of a is in b
    score_b: float
    cells: dict = field(default_factory=dict)  # cell -> (score_a, score_b) over its units
    matches: list = field(default_factory=list)  # Match, for units with something in common
    flagged: bool = False


def normalize_prose(text):
    """Markdown answers: words only, lower case (copying prose survives re-punctuation and re-flowing)."""
    return " ".join(WORDS.findall(text.lower()))


def fingerprint(text, kind, noise, window):
    if kind == "code":
        return CodeFingerprint("cell.py", noise, window, language="python", fp=io.StringIO(text))
    return CodeFingerprint("cell.txt", noise, window, filter=False, fp=io.StringIO(normalize_prose(text)))


def without(fp, dropped):
    """``fp`` without the fingerprints in ``dropped`` (given code, common code)."""
    if not fp.hashes & dropped:
        return fp
    out = copy.copy(fp)
    out.hashes = fp.hashes - dropped
    out.hash_idx = {h: i for h, i in fp.hash_idx.items() if h in out.hashes}
    out.token_coverage = get_token_coverage(out.hash_idx, fp.k, len(fp.filtered_code))
    return out


def _slices(slices, length):
    """copydetect's 2xN slice array as [(start, end)], clamped to the text."""
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(max(0, min(int(s), length)), max(0, min(int(e), length))) for s, e in zip(slices[0], slices[1])]


def given_fingerprints(given, kinds, noise, window):
    """{cell: fingerprints of what was given for it}: its stub (whole, and function by function) and, for
    code cells, the assignment's other given code."""
    from .extract import function_names, split_units

    other = set()
    for piece in given.get(None, []):  # one by one: fingerprints across two given cells would be no one's
        other |= fingerprint(piece, "code", noise, window).hashes
    out = {}
    for cell, kind in kinds.items():
        stub = given.get(cell, "")
        hashes = set(fingerprint(stub, kind, noise, window).hashes)
        if kind == "code":
            hashes |= other
            for _, unit in split_units(stub, function_names(stub)):
                hashes |= fingerprint(unit, kind, noise, window).hashes
        out[cell] = hashes
    return out


def compare_class(parts_by_student, given, settings=None):
    """Every compared pair of students, most alike first, flagged at or above the threshold; and figures.

    ``parts_by_student``: {student: {(cell, unit): Part}}; ``given``: {cell: stub, None: [other given code]}.
    """
    settings = settings or Comparison()
    k, w = settings.noise, settings.window
    kinds = {key[0]: part.kind for parts in parts_by_student.values() for key, part in parts.items()}
    boilerplate = given_fingerprints(given, kinds, k, w)

    prints = {}  # (student, (cell, unit)) -> CodeFingerprint, given code removed
    frequency = Counter()  # (cell, hash) -> submissions that have it
    for student, parts in parts_by_student.items():
        mine = set()
        for key, part in parts.items():
            fp = without(fingerprint(part.text, part.kind, k, w), boilerplate[key[0]])
            prints[student, key] = fp
            mine.update((key[0], h) for h in fp.hashes)
        frequency.update(mine)

    n = len(parts_by_student)
    limit = settings.common_for(n)
    common = defaultdict(set)
    for (cell, h), count in frequency.items():
        if count > limit:
            common[cell].add(h)
    postings = defaultdict(set)  # (cell, hash) -> students, for hashes in 2..limit submissions
    for (student, key), fp in prints.items():
        fp = prints[student, key] = without(fp, common[key[0]])
        for h in fp.hashes:
            if frequency[key[0], h] >= 2:
                postings[key[0], h].add(student)
    shared = Counter()
    for students in postings.values():
        shared.update(itertools.combinations(sorted(students), 2))
    candidates = [pair for pair, _ in shared.most_common(settings.max_pairs_for(n))]

    pairs = [_compare(a, b, parts_by_student, prints) for a, b in candidates]
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    for p in pairs:
        p.flagged = bool(p.score >= settings.threshold)
    stats = {
        "submissions": n,
        "candidate_pairs": len(shared),
        "compared_pairs": len(pairs),
        "common_limit": limit,
        "common_fingerprints": sum(len(c) for c in common.values()),
        "flagged": sum(p.flagged for p in pairs),
    }
    return pairs, stats


def _compare(a, b, parts_by_student, prints):
    # overlap (shared fingerprinted characters) and coverage (fingerprinted characters) per cell, a then b
    sums = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    matches = []
    kinds = {}
    for key in sorted(set(parts_by_student[a]) | set(parts_by_student[b])):
        fa, fb = prints.get((a, key)), prints.get((b, key))
        part = parts_by_student[a].get(key) or parts_by_student[b][key]
        kinds[key[0]] = part.kind
        cell = sums[key[0]]
        if fa is None or fb is None:
            cell[1] += fa.token_coverage if fa is not None else 0
            cell[3] += fb.token_coverage if fb is not None else 0
            continue
        _, (sa, sb), (slices_a, slices_b) = compare_files(fa, fb)
        sa, sb = min(1.0, float(sa)), min(1.0, float(sb))
        cell[0] += sa * fa.token_coverage
        cell[1] += fa.token_coverage
        cell[2] += sb * fb.token_coverage
        cell[3] += fb.token_coverage
        if sa > 0 or sb > 0:
            matches.append(
                Match(
                    key[0],
                    key[1],
                    part.kind,
                    sa,
                    sb,
                    fa.raw_code,
                    fb.raw_code,
                    _slices(slices_a, len(fa.raw_code)),
                    _slices(slices_b, len(fb.raw_code)),
                )
            )
    ratio = lambda x, y: float(x / y) if y else 0.0  # noqa: E731
    cells = {cell: (ratio(s[0], s[1]), ratio(s[2], s[3])) for cell, s in sums.items() if s[0] or s[2]}
    code = [s for cell, s in sums.items() if kinds[cell] == "code"]
    overlap_a, coverage_a = sum(s[0] for s in code), sum(s[1] for s in code)
    overlap_b, coverage_b = sum(s[2] for s in code), sum(s[3] for s in code)
    score = ratio(overlap_a + overlap_b, coverage_a + coverage_b)
    return Pair(a, b, score, ratio(overlap_a, coverage_a), ratio(overlap_b, coverage_b), cells, matches)
