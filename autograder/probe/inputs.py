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
