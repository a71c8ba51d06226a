"""Exercise 4, `fix_inplace`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

import torch

from ...probe.inputs import as_tensor
from ...probe.observe import _get, exception_name, observe_call, snapshot, tensor

_backward = torch.autograd.backward
_sum = torch._C.TensorBase.sum


def _backward_of(z, t):
    """Run backward on z (summed when not scalar); report t's gradient."""
    try:
        _backward(z if len(_get["shape"](z)) == 0 else _sum(z))
    except BaseException as exc:
        return {"ok": False, "exception": exception_name(exc)}
    return {"ok": True, "t": tensor(t)}


def probe(ns, inputs):
    for i, spec in enumerate(inputs["t"]):
        t = as_tensor(spec, requires_grad=True)
        before = snapshot(t)
        z, obs = observe_call(ns, "z_fixed", t)
        record = {"result": obs}
        if obs.get("kind") == "tensor" and obs.get("exact_type"):
            record["backward"] = _backward_of(z, t)
        record["input_unchanged"] = snapshot(t) == before
        yield f"z_fixed/{i}", record
    # The given z_buggy must still show the error it was given to show.
    t = as_tensor(inputs["t"][0], requires_grad=True)
    z, obs = observe_call(ns, "z_buggy", t)
    if obs.get("kind") == "tensor" and obs.get("exact_type"):
        obs = {"kind": "tensor", "backward": _backward_of(z, t)}
    yield "z_buggy", obs
