"""Small networks as the judges see them: nn.Sequential chains of nn.Linear, nn.ReLU and nn.Dropout.

A judge draws such a network as a plain spec (`draw_mlp`); the probe builds it in the student's
process (`autograder.probe.inputs.as_module`) and the judge builds the same network here for its
reference (`build`). A network the student made is run here from its observed parameters, in
float64 (`forward`), so no student code computes what the judge expects. Reference trainings run
`single_threaded`: their small batches gain nothing from more threads, and on a busy machine
threads that wait for each other make them many times slower.
"""

import threading
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn as nn

from .encoding import decode, encode


def draw_mlp(rng, sizes, dropout=None):
    """A spec: Linear layers through ``sizes`` with ReLU between them (and Dropout(p) after each ReLU)."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1 / np.sqrt(n_in)
        layers.append(
            {
                "type": "linear",
                "weight": encode(rng.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)),
                "bias": encode(rng.uniform(-bound, bound, size=(n_out,)).astype(np.float32)),
            }
        )
        if i < len(sizes) - 2:
            layers.append({"type": "relu"})
            if dropout is not None:
                layers.append({"type": "dropout", "p": dropout})
    return {"layers": layers}


def build(spec):
    """The spec's network as a float32 nn.Sequential, as the probe builds it."""
    layers = []
    for layer in spec["layers"]:
        if layer["type"] == "linear":
            out_features, in_features = layer["weight"]["shape"]
            linear = nn.Linear(in_features, out_features)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(decode(layer["weight"])))
                linear.bias.copy_(torch.from_numpy(decode(layer["bias"])))
            layers.append(linear)
        elif layer["type"] == "relu":
            layers.append(nn.ReLU())
        else:
            layers.append(nn.Dropout(layer["p"]))
    return nn.Sequential(*layers)


def layer_names(module):
    """The torch.nn types of a SeenModule's children, without the "nn." prefix: ["Linear", "ReLU", ...]."""
    return [t[3:] if t and t.startswith("nn.") else (t or "?") for t in module.layers()]


def forward(module, X):
    """A SeenModule run on X (float64), in eval mode, from its observed parameters; None when it cannot be run
    here (a layer other than Linear, ReLU, Dropout and Sequential, missing values, shapes that do not chain)."""
    out = np.asarray(X, dtype=np.float64)
    if module is None:
        return None
    if module.type == "nn.Sequential":
        return forward_layers(module, out)
    if module.children:
        return None
    if module.type == "nn.ReLU":
        return np.maximum(out, 0.0)
    if module.type == "nn.Dropout" and module.training is False:
        return out
    if module.type == "nn.Linear":
        params = dict(module.parameters)
        weight, bias = params.get("weight"), params.get("bias")
        if weight is None or weight.values is None or len(weight.shape) != 2 or out.shape[-1:] != weight.shape[1:]:
            return None
        out = out @ weight.values.T
        if bias is not None:
            if bias.values is None or bias.shape != weight.shape[:1]:
                return None
            out = out + bias.values
        return out
    return None


def forward_layers(module, X):
    """The children of a SeenModule (whatever its own type) run on X one after the other, as nn.Sequential
    runs them; None when one of them cannot be run here (see `forward`)."""
    if module is None or module.parameters:
        return None
    out = np.asarray(X, dtype=np.float64)
    for _, child in module.children:
        out = forward(child, out)
        if out is None:
            return None
    return out


def parameter_values(module):
    """[(qualified name, float64 values or None)] of a SeenModule's parameters, in named_parameters() order."""
    return [(name, t.values) for name, t in module.named_parameters()]


_threads_lock = threading.Lock()
_threads = {"inside": 0, "saved": 1}


@contextmanager
def single_threaded():
    """torch's intra-op threads set to 1 for the block (nested and concurrent blocks restore it once, at the end)."""
    with _threads_lock:
        if _threads["inside"] == 0:
            _threads["saved"] = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads["inside"] += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads["inside"] -= 1
            if _threads["inside"] == 0:
                torch.set_num_threads(_threads["saved"])
