"""Simulated CUDA/MPS availability for `pick_device`.

Installed before any student cell runs, so that `from torch.cuda import
is_available` binds to the simulation as well. Outside the pick_device probe
the simulation answers with the real availability; the probe flips the flags
between calls and puts them back.
"""

import torch

REAL_CUDA = torch.cuda.is_available()
REAL_MPS = torch.backends.mps.is_available()
_state = {"cuda": REAL_CUDA, "mps": REAL_MPS}


def _cuda_is_available():
    return _state["cuda"]


def _mps_is_available():
    return _state["mps"]


def install():
    torch.cuda.is_available = _cuda_is_available
    torch.backends.mps.is_available = _mps_is_available


def simulate(cuda, mps):
    _state["cuda"], _state["mps"] = bool(cuda), bool(mps)


def reset():
    simulate(REAL_CUDA, REAL_MPS)
