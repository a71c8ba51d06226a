"""Scores and messages stay what they were: the demo's students and a synthesized class (tests/golden.py)."""

import golden
import pytest

pytestmark = [pytest.mark.slow]


@pytest.mark.slow
def test_scores_and_messages_match_the_golden_file():
    data = golden.load()
    assert len(data) >= 30
    results = golden.grade_all([(d["name"], d["assignment"], d["answers"]) for d in data])
    changed = {d["name"]: (d["verdict"], results[d["name"]]) for d in data if results[d["name"]] != d["verdict"]}
    assert not changed, f"{len(changed)} submission(s) graded differently: {sorted(changed)[:5]}"
