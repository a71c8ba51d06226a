"""Exercise 9, `minibatch_training`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here. A loader the student returns
is iterated only when it is exactly a torch DataLoader, and its batches are
described by their exact types.
"""

import torch

from ...probe import devices
from ...probe.inputs import as_loader, as_module, as_tensor
from ...probe.observe import call, module, observe_call, value

_manual_seed = torch.manual_seed
_get_rng_state = torch.get_rng_state
_equal = torch.equal
_DataLoader = torch.utils.data.DataLoader
_SGD, _Adam = torch.optim.SGD, torch.optim.Adam
_CRITERIA = {"mse": torch.nn.MSELoss, "l1": torch.nn.L1Loss}
_parameters = torch.nn.Module.parameters
_to = torch.nn.Module.to
_eval = torch.nn.Module.eval
_type, _len, _range, _zip = type, len, range, zip

#: The chapter's device ("cuda", else "mps", else "cpu"), as the notebook's setup cell picks it.
DEVICE = "cuda" if devices.REAL_CUDA else ("mps" if devices.REAL_MPS else "cpu")
MAX_BATCHES = 1_000  # per epoch: a loader that yields more is described up to here


def _describe_epochs(loader, n_epochs):
    """Each epoch as the list of its batches' descriptions."""
    epochs = []
    for _ in _range(n_epochs):
        batches = []
        for batch in loader:
            batches.append(value(batch))
            if _len(batches) >= MAX_BATCHES:
                break
        epochs.append(batches)
    return epochs


def _loader_call(ns, n_epochs, X, y, **kwargs):
    """make_loader(X, y, **kwargs), and its first epochs when it is a DataLoader."""
    loader, obs = observe_call(ns, "make_loader", X, y, **kwargs)
    if _type(loader) is not _DataLoader:
        return obs
    epochs, error = call(_describe_epochs, loader, n_epochs)
    return {"kind": "dataloader", "epochs": error if error is not None else epochs}


def _optimizer(model, spec):
    if spec["type"] == "adam":
        return _Adam(_parameters(model), lr=spec["lr"])
    return _SGD(_parameters(model), lr=spec["lr"], momentum=spec["momentum"])


def probe(ns, inputs):
    spec = inputs["make_loader"]
    X, y, batch_size = as_tensor(spec["X"]), as_tensor(spec["y"]), spec["batch_size"]
    yield "make_loader/default", {"result": _loader_call(ns, 1, X, y)}
    ordered = _loader_call(ns, 1, X, y, batch_size=batch_size, shuffle=False)
    yield "make_loader/ordered", {"result": ordered}
    first, second = spec["seeds"]
    _manual_seed(spec["global_seeds"][0])
    before = _get_rng_state()
    record = _loader_call(ns, 2, X, y, batch_size=batch_size, shuffle=True, seed=first)
    yield "make_loader/seeded", {"result": record, "global_rng_untouched": _equal(before, _get_rng_state())}
    same = _loader_call(ns, 1, X, y, batch_size=batch_size, shuffle=True, seed=first)
    yield "make_loader/same_seed", {"result": same}
    other = _loader_call(ns, 1, X, y, batch_size=batch_size, shuffle=True, seed=second)
    yield "make_loader/other_seed", {"result": other}
    for name, global_seed in _zip(("unseeded_a", "unseeded_b", "unseeded_c"), spec["unseeded_global_seeds"]):
        _manual_seed(global_seed)  # without a seed, the order comes from the global generator
        yield f"make_loader/{name}", {"result": _loader_call(ns, 1, X, y, batch_size=batch_size, shuffle=True)}

    for i, run in enumerate(inputs["train"]):
        model = as_module(run["model"])
        if DEVICE != "cpu":
            _to(model, DEVICE)
        if run["eval_mode"]:
            _eval(model)
        optimizer = _optimizer(model, run["optimizer"])
        loader = as_loader(run["loader"])
        _manual_seed(run["seed"])  # the dropout masks of the run come from the global generator
        _, obs = observe_call(ns, "train", model, optimizer, _CRITERIA[run["criterion"]](), loader, run["n_epochs"])
        if DEVICE != "cpu":
            call(_to, model, "cpu")
        yield f"train/{i}", {"losses": obs, "model": module(model)}
