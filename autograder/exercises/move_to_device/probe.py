"""Exercise 2, `move_to_device`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

from ...probe import devices
from ...probe.inputs import as_tensor
from ...probe.observe import call, lookup, missing, observe_call, snapshot, value


def _gram_on(ns, M, device):
    """Call gram_on(M, device), recording on which devices its operations ran."""
    fn = lookup(ns, "gram_on")
    if fn is None:
        return missing("gram_on"), {}
    recorded, where = devices.recording_where_ops_run(fn)
    result, error = call(recorded, M, device)
    return (error if error is not None else value(result)), where


def probe(ns, inputs):
    for cuda, mps in inputs["scenarios"]:
        devices.simulate(cuda, mps)
        result, obs = observe_call(ns, "pick_device")
        if obs.get("kind") == "str":
            obs["value"] = result if result in ("cuda", "mps", "cpu") else None
        yield f"pick_device/{int(cuda)}{int(mps)}", obs
    devices.reset()
    targets = ["cpu", "meta"] + (["cuda"] if devices.REAL_CUDA else [])
    for i, spec in enumerate(inputs["matrices"]):
        for device in targets:
            M = as_tensor(spec)
            before = snapshot(M)
            obs, where = _gram_on(ns, M, device)
            yield f"gram_on/{i}/{device}", {"result": obs, "input_unchanged": snapshot(M) == before, **where}
    yield "real_cuda", {"kind": "bool", "value": devices.REAL_CUDA}
