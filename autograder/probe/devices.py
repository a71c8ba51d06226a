"""Simulated CUDA/MPS availability for `pick_device`.

Installed before any student cell runs, so that `from torch.cuda import
is_available` binds to the simulation as well. The probe flips the flags
between calls; the real CUDA availability is kept for the real-GPU check.
"""

import torch

REAL_CUDA = torch.cuda.is_available()
_state = {"cuda": False, "mps": False}


def _cuda_is_available():
    return _state["cuda"]


def _mps_is_available():
    return _state["mps"]


def install():
    torch.cuda.is_available = _cuda_is_available
    torch.backends.mps.is_available = _mps_is_available


def simulate(cuda, mps):
    _state["cuda"], _state["mps"] = bool(cuda), bool(mps)
