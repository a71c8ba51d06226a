"""Exercise 6, `bgd_loop`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

from ...probe.inputs import as_tensor
from ...probe.observe import observe_call


def probe(ns, inputs):
    for run in inputs["runs"]:
        X, y = as_tensor(run["X"]), as_tensor(run["y"])
        _, obs = observe_call(ns, "train_linear_bgd", X, y, run["lr"], run["n_epochs"], seed=run["seed"])
        yield f"train_linear_bgd/{run['name']}", obs
