"""Exercise 8, `build_mlp`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

import torch

from ...probe.inputs import as_tensor
from ...probe.observe import call, observe_call, value

_manual_seed = torch.manual_seed
_list = list


def probe(ns, inputs):
    for i, run in enumerate(inputs["runs"]):
        args = (run["n_inputs"], _list(run["n_hidden"]))
        if run["n_outputs"] is not None:  # None: the default n_outputs
            args += (run["n_outputs"],)
        _manual_seed(run["seed"])
        model, obs = observe_call(ns, "build_mlp", *args)
        record = {"result": obs}
        if obs.get("kind") == "module":
            output, error = call(model, as_tensor(run["X"]))
            record["output"] = error if error is not None else value(output)
        yield f"build_mlp/{i}", record
