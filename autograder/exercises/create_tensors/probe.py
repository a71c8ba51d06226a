"""Exercise 1, `create_tensors`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

import torch

from ...probe.inputs import array
from ...probe.observe import observe_call, snapshot

_tensor = torch.tensor


def probe(ns, inputs):
    for i in range(2):  # twice: a function must not depend on being called first
        yield f"make_matrix/{i}", observe_call(ns, "make_matrix")[1]
    for i, spec in enumerate(inputs["to_float32"]):
        a = array(spec)
        before = snapshot(a)
        _, obs = observe_call(ns, "to_float32", a)
        yield f"to_float32/{i}", {"result": obs, "input_unchanged": snapshot(a) == before}
    for i, spec in enumerate(inputs["column_vector"]):
        y = array(spec) if spec["as"] == "numpy" else _tensor(array(spec))
        before = snapshot(y)
        _, obs = observe_call(ns, "column_vector", y)
        yield f"column_vector/{i}", {"result": obs, "input_unchanged": snapshot(y) == before}
