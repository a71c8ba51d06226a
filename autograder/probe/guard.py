"""Put back what student code may have patched before the probe looks at anything.

Taken right after the probe's imports (before any student cell), a snapshot
records the attributes of the modules and classes the probe and the chapter's
API rely on, and the code objects of their Python functions. `restore()`
undoes reassignments (`torch.allclose = ...`, `torch.Tensor.backward = ...`,
`builtins.len = ...`), deletes attributes added to those classes, and swaps
back `__code__`/`__defaults__` (the `f.__code__ = g.__code__` trick). It runs
after the cells and again after every call of a student function.

This raises the bar; it is not a proof. Code running in a process can rewrite
that process's memory (ctypes): the probe's trust boundary is the judge, which
only accepts values it can check against its own reference.
"""

import builtins
import gc
import json
import json.decoder
import json.encoder
import math
import os
import signal
import sys
import threading
import types

import numpy
import torch
import torch.autograd.graph
import torch.nn.functional
import torch.optim

_FunctionType = types.FunctionType
_setattr, _delattr, _vars, _list, _set = setattr, delattr, vars, list, set

MODULES = [builtins, math, json, json.encoder, json.decoder, os, numpy, torch, torch.nn, torch.nn.functional,
           torch.autograd, torch.autograd.graph, torch.optim, torch.cuda, torch.backends.mps]
CLASSES = [torch.Tensor, torch.nn.Parameter, torch.nn.Module, torch.nn.Linear, torch.nn.MSELoss,
           torch.optim.Optimizer, torch.optim.SGD]


def _functions(namespace):
    for value in _list(namespace.values()):
        if isinstance(value, (classmethod, staticmethod)):
            value = value.__func__
        elif isinstance(value, property):
            yield from (f for f in (value.fget, value.fset) if type(f) is _FunctionType)
            continue
        if type(value) is _FunctionType:
            yield value


class Snapshot:
    def __init__(self, modules=(), classes=()):
        self.modules = [(m, dict(_vars(m))) for m in [*MODULES, *modules]]
        self.classes = [(c, dict(_vars(c))) for c in CLASSES + _list(classes)]
        seen, self.codes = _set(), []
        for _, attrs in self.modules + self.classes:
            for f in _functions(attrs):
                if id(f) not in seen:
                    seen.add(id(f))
                    self.codes.append((f, f.__code__, f.__defaults__, f.__kwdefaults__))

    def restore(self):
        for f, code, defaults, kwdefaults in self.codes:
            if f.__code__ is not code:
                f.__code__ = code
            if f.__defaults__ is not defaults:
                f.__defaults__ = defaults
            if f.__kwdefaults__ is not kwdefaults:
                f.__kwdefaults__ = kwdefaults
        for module, attrs in self.modules:
            current = module.__dict__
            for name, value in attrs.items():
                if current.get(name, attrs) is not value:
                    current[name] = value
        for cls, attrs in self.classes:
            current = _vars(cls)
            for name in _list(current):
                if name not in attrs:
                    try:
                        _delattr(cls, name)
                    except (AttributeError, TypeError):
                        pass
            for name, value in attrs.items():
                if current.get(name, attrs) is not value:
                    try:
                        _setattr(cls, name, value)
                    except (AttributeError, TypeError):
                        pass


def stop_tracing():
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)


def quiet_process():
    """In the probe's forked process: no tracers, no student signal handlers or GC callbacks."""
    stop_tracing()
    gc.callbacks.clear()
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
