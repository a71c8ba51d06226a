"""Exercise 11, `fit_housing_mlp`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

import torch

from ...probe import devices
from ...probe.inputs import as_tensor
from ...probe.observe import call, observe_call, value

_Module = torch.nn.Module
_to = torch.nn.Module.to
_type, _len, _tuple, _list = type, len, tuple, list
_mro = type.__dict__["__mro__"].__get__

#: The chapter's device ("cuda", else "mps", else "cpu"), as the notebook's setup cell picks it.
DEVICE = "cuda" if devices.REAL_CUDA else ("mps" if devices.REAL_MPS else "cpu")


def probe(ns, inputs):
    for run in inputs["runs"]:
        kwargs = {} if run["seed"] is None else {"seed": run["seed"]}  # None: the default seed
        result, obs = observe_call(ns, "fit_housing_mlp", as_tensor(run["X"]), as_tensor(run["y"]), **kwargs)
        if DEVICE != "cpu" and _type(result) in (_tuple, _list) and _len(result) == 2:
            if _Module in _mro(_type(result[0])):  # describe the trained parameters from the CPU
                call(_to, result[0], "cpu")
                obs = value(result)
        yield f"fit_housing_mlp/{run['name']}", obs
