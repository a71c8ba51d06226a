"""The judge's inputs, decoded inside the student's process into fresh arrays and tensors."""

import numpy
import torch

_np_array = numpy.array
_tensor = torch.tensor
_requires_grad_ = torch._C.TensorBase.requires_grad_


def array(spec):
    """Decode ``{"values": flat, "dtype", "shape"}`` into a fresh NumPy array."""
    return _np_array(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])


def as_tensor(spec, requires_grad=False):
    t = _tensor(array(spec))
    return _requires_grad_(t, True) if requires_grad else t


# --------------------------------------------------------------------------- networks and loaders (mlp_regression)

_Sequential, _Linear, _ReLU, _Dropout = torch.nn.Sequential, torch.nn.Linear, torch.nn.ReLU, torch.nn.Dropout
_no_grad = torch.no_grad
_copy_ = torch._C.TensorBase.copy_
_DataLoader, _TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset
_Generator = torch.Generator
_generator_manual_seed = torch.Generator.manual_seed


def as_module(spec):
    """The judge's network, ``{"layers": [{"type": "linear", "weight", "bias"} | {"type": "relu"} |
    {"type": "dropout", "p"}, ...]}``, as a fresh nn.Sequential with exactly those parameters."""
    layers = []
    for layer in spec["layers"]:
        if layer["type"] == "linear":
            out_features, in_features = layer["weight"]["shape"]
            linear = _Linear(in_features, out_features)
            with _no_grad():
                _copy_(linear.weight, as_tensor(layer["weight"]))
                _copy_(linear.bias, as_tensor(layer["bias"]))
            layers.append(linear)
        elif layer["type"] == "relu":
            layers.append(_ReLU())
        else:
            layers.append(_Dropout(layer["p"]))
    return _Sequential(*layers)


def as_loader(spec):
    """The judge's loader, ``{"X", "y", "batch_size", "shuffle", "seed"}``: a DataLoader over a TensorDataset,
    with its own generator seeded with ``seed`` (None: no generator)."""
    seed = spec.get("seed")
    generator = None if seed is None else _generator_manual_seed(_Generator(), seed)
    dataset = _TensorDataset(as_tensor(spec["X"]), as_tensor(spec["y"]))
    return _DataLoader(dataset, batch_size=spec["batch_size"], shuffle=spec["shuffle"], generator=generator)
