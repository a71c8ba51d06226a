"""Devices in the probe: simulated CUDA/MPS availability for `pick_device`, and where `gram_on` computed.

The simulation is installed before any student cell runs, so that `from
torch.cuda import is_available` binds to it as well. Outside the pick_device
probe it answers with the real availability; the probe flips the flags between
calls and puts them back.

`recording_where_ops_run` wraps a student function in a torch dispatch mode,
pushed on the C-level mode stack only while the function runs, that records
the device of each operation (products apart) and each copy between devices:
a product computed on the CPU and then moved shows, even on the `meta` device.
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


# --------------------------------------------------------------------------- where a student's operations ran

# Captured now, before any student code: the dispatch mode stack's C functions and the aten overloads
# (by identity) that are matrix products, or only copies between devices.
_push_mode = torch._C._push_on_torch_dispatch_stack
_pop_mode = torch._C._pop_torch_dispatch_stack
_modes_on_stack = torch._C._len_torch_dispatch_stack
_device_of_tensor = torch._C.TensorBase.__dict__["device"].__get__
_Tensor = torch.Tensor
_torch_device = torch.device
_type, _id, _len = type, id, len
_aten = torch.ops.aten
PRODUCTS = frozenset(
    _id(op)
    for op in (
        _aten.mm.default,
        _aten.bmm.default,
        _aten.addmm.default,
        _aten.addbmm.default,
        _aten.baddbmm.default,
        _aten.mv.default,
        _aten.addmv.default,
        _aten.dot.default,
        _aten.vdot.default,
        _aten.matmul.default,
        _aten._scaled_mm.default,
    )
)
TO_COPY, COPY_ = _aten._to_copy.default, _aten.copy_.default  # a tensor sent to a device, or copied into one
COPIES = frozenset(
    _id(op)
    for op in (
        _aten._to_copy.default,
        _aten.copy_.default,
        _aten._copy_from.default,
        _aten._copy_from_and_resize.default,
        _aten.clone.default,
        _aten.detach.default,
        _aten.alias.default,
        _aten.lift_fresh.default,
        _aten.lift_fresh_copy.default,
    )
)
MAX_DEVICES = 8


def _device_type(x):
    if _type(x) is _torch_device:
        return x.type
    return _device_of_tensor(x).type if _type(x) is _Tensor else None


def _move(func, args, kwargs):
    """[from, to] when ``func`` copies a tensor from one device to another (`.to(device)`, `.cpu()`,
    `dst.copy_(src)`), else None."""
    if func is TO_COPY and _len(args) > 0:
        source, target = _device_type(args[0]), _device_type(kwargs.get("device"))
    elif func is COPY_ and _len(args) > 1:
        source, target = _device_type(args[1]), _device_type(args[0])
    else:
        return None
    return [source, target] if source and target and source != target else None


class _WhereOpsRun:
    """A torch dispatch mode: the device of each operation's result, products apart from everything else,
    and the copies from one device to another (noted before they run: a copy out of `meta` raises).
    Pushed on the C-level mode stack only while a student function runs."""

    def __init__(self):
        self.products, self.others, self.moves = [], [], []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        move = _move(func, args, kwargs)
        if move is not None and move not in self.moves and _len(self.moves) < MAX_DEVICES:
            self.moves.append(move)
        out = func(*args, **kwargs)  # the mode is off inside this call: no recursion
        first = out[0] if _type(out) in (tuple, list) and _len(out) > 0 else out
        if _type(first) is _Tensor and _id(func) not in COPIES:
            seen = self.products if _id(func) in PRODUCTS else self.others
            device = _device_of_tensor(first).type
            if device not in seen and _len(seen) < MAX_DEVICES:
                seen.append(device)
        return out

    @classmethod
    def is_infra_mode(cls):
        return False

    @classmethod
    def ignore_compile_internals(cls):
        return False


def recording_where_ops_run(fn):
    """``fn`` wrapped to record where its operations ran; returns (wrapped, where) where ``where`` is filled
    with {"product_devices": [...], "op_devices": [...], "moves": [[from, to], ...]} once it has run."""
    where = {}

    def wrapped(*args, **kwargs):
        mode, depth = _WhereOpsRun(), _modes_on_stack()
        _push_mode(mode)
        try:
            return fn(*args, **kwargs)
        finally:
            while _modes_on_stack() > depth:  # ours, and any mode the student left pushed
                _pop_mode(None)
            where["product_devices"], where["op_devices"], where["moves"] = mode.products, mode.others, mode.moves

    return wrapped, where
