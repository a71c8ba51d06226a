"""Exercise 5, `prepare_data`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

from ...probe.inputs import array
from ...probe.observe import observe_call, snapshot


def probe(ns, inputs):
    for i, split in enumerate(inputs["standardize"]):
        arrays = [array(split[k]) for k in ("train", "valid", "test")]
        befores = [snapshot(a) for a in arrays]
        result, obs = observe_call(ns, "standardize", *arrays)
        unchanged = all(snapshot(a) == b for a, b in zip(arrays, befores))
        yield f"standardize/{i}", {"result": obs, "input_unchanged": unchanged}
    for i, spec in enumerate(inputs["to_column"]):
        y = array(spec)
        before = snapshot(y)
        _, obs = observe_call(ns, "to_column", y)
        yield f"to_column/{i}", {"result": obs, "input_unchanged": snapshot(y) == before}
