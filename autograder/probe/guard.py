"""Keep student code from changing what the probe relies on.

Taken right after the probe's imports (before any student cell), a snapshot
records the attributes of the modules and classes the probe and the chapter's
API rely on, the contents of the probe's own tables, and the code, defaults
and closures of their Python functions. Its restorer undoes reassignments
(`torch.allclose = ...`, `torch.Tensor.backward = ...`, `builtins.len = ...`),
deletes attributes added to those classes, swaps back code objects, and puts
the probe's own dicts and lists back as they were. The restorer keeps all it
needs in immutable tuples bound as its default arguments, which no student
code can reassign: the audit hook installed by `install_audit_hook` refuses
new audit hooks and any change to a protected function's code, defaults or
keyword defaults.

In the probe's fork (`quiet_process` and `restore_for_probe`) more goes back:
default signal handlers, no tracers or profilers, no garbage collection (no
student finalizer runs while the probe works), the interpreter's hooks, the
import machinery, and the modules the probe imported.

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
import torch.utils.data
import torch.utils.data._utils.collate
import torch.utils.data._utils.fetch
import torch.utils.data.dataloader
import torch.utils.data.sampler

_FunctionType = types.FunctionType
_ModuleType = types.ModuleType
_setattr, _delattr, _vars, _list, _tuple, _id, _type = setattr, delattr, vars, list, tuple, id, type
_dict, _frozenset, _isinstance, _RuntimeError = dict, frozenset, isinstance, RuntimeError

MODULES = [
    builtins,
    math,
    json,
    json.encoder,
    json.decoder,
    os,
    numpy,
    torch,
    torch.nn,
    torch.nn.functional,
    torch.autograd,
    torch.autograd.graph,
    torch.optim,
    torch.cuda,
    torch.backends.mps,
    # how a DataLoader yields its batches (mlp_regression)
    torch.utils.data.dataloader,
    torch.utils.data.sampler,
    torch.utils.data._utils.fetch,
    torch.utils.data._utils.collate,
]
CLASSES = [
    torch.Tensor,
    torch.nn.Parameter,
    torch.nn.Module,
    torch.nn.Linear,
    torch.nn.MSELoss,
    torch.optim.Optimizer,
    torch.optim.SGD,
    json.encoder.JSONEncoder,
    json.decoder.JSONDecoder,
    # the networks, optimizers and loaders the mlp_regression probes build and iterate
    torch.nn.Sequential,
    torch.nn.ReLU,
    torch.nn.Dropout,
    torch.nn.L1Loss,
    torch.optim.Adam,
    torch.utils.data.DataLoader,
    torch.utils.data.dataloader._BaseDataLoaderIter,
    torch.utils.data.dataloader._SingleProcessDataLoaderIter,
    torch.utils.data.TensorDataset,
    torch.utils.data.RandomSampler,
    torch.utils.data.SequentialSampler,
    torch.utils.data.BatchSampler,
    torch.utils.data._utils.fetch._MapDatasetFetcher,
]
SYS_HOOKS = ("displayhook", "excepthook", "unraisablehook", "breakpointhook")
IMPORT_STATE = ("meta_path", "path_hooks", "path")


def _functions(namespace):
    for value in _list(namespace.values()):
        if _isinstance(value, (classmethod, staticmethod)):
            value = value.__func__
        elif _isinstance(value, property):
            yield from (f for f in (value.fget, value.fset) if _type(f) is _FunctionType)
            continue
        if _type(value) is _FunctionType:
            yield value


def _containers(module_dict, runtime):
    """(container, frozen copy of its contents) for the dicts and lists a probe module holds."""
    out = []
    for value in _list(module_dict.values()):
        if _id(value) in runtime:
            continue  # the probe's own working state, set in the probe's fork
        if _type(value) is _dict:
            out.append((value, _tuple(value.items())))
        elif _type(value) is _list:
            out.append((value, _tuple(value)))
    return _tuple(out)


def make_restorer(modules=(), classes=(), own=(), runtime=()):
    """A function that puts everything back as it is now.

    ``own``: the probe's modules, whose dicts and lists are put back too, except the
    ``runtime`` containers (the probe's working state); the classes they define are
    put back like CLASSES.
    """
    own_classes = _own_classes(own)
    mods = _tuple((m, _tuple(_vars(m).items())) for m in [*MODULES, *modules, *own])
    clss = _tuple((c, _tuple(_vars(c).items())) for c in [*CLASSES, *classes, *own_classes])
    seen, codes = set(), []
    for _, attrs in mods + clss:
        for f in _functions(_dict(attrs)):
            if _id(f) not in seen:
                seen.add(_id(f))
                cells = _tuple(c.cell_contents for c in f.__closure__ or () if _cell_full(c))
                codes.append(
                    (
                        f,
                        f.__code__,
                        f.__defaults__,
                        f.__kwdefaults__ and _tuple(f.__kwdefaults__.items()),
                        f.__closure__,
                        cells,
                    )
                )
    runtime_ids = {_id(c) for c in runtime}
    tables = _tuple(t for m in own for t in _containers(_vars(m), runtime_ids))

    # Everything it uses is bound here: a student may replace this module's globals, or builtins.
    def restore(
        _codes=_tuple(codes),
        _mods=mods,
        _clss=clss,
        _tables=tables,
        _tuple=_tuple,
        _dict=_dict,
        _list=_list,
        _type=_type,
        _vars=_vars,
        _setattr=_setattr,
        _delattr=_delattr,
        zip=zip,
        _RuntimeError=_RuntimeError,
        _AttributeError=AttributeError,
        _TypeError=TypeError,
    ):
        for f, code, defaults, kwdefaults, closure, cells in _codes:
            try:  # refused by the audit hook unless that hook is gone: then put the code back
                if f.__code__ is not code:
                    f.__code__ = code
                if f.__defaults__ is not defaults:
                    f.__defaults__ = defaults
                if kwdefaults is None:
                    if f.__kwdefaults__ is not None:
                        f.__kwdefaults__ = None
                elif f.__kwdefaults__ is None or _tuple(f.__kwdefaults__.items()) != kwdefaults:
                    f.__kwdefaults__ = _dict(kwdefaults)
            except _RuntimeError:
                pass
            if closure:
                for cell, value in zip(closure, cells):
                    if cell.cell_contents is not value:
                        cell.cell_contents = value
        for module, attrs in _mods:
            current = module.__dict__
            for name, value in attrs:
                if current.get(name, attrs) is not value:
                    current[name] = value
        for cls, attrs in _clss:
            current = _vars(cls)
            keep = _dict(attrs)
            for name in _list(current):
                if name not in keep:
                    try:
                        _delattr(cls, name)
                    except (_AttributeError, _TypeError):
                        pass
            for name, value in attrs:
                if current.get(name, keep) is not value:
                    try:
                        _setattr(cls, name, value)
                    except (_AttributeError, _TypeError):
                        pass
        for container, contents in _tables:
            if _type(container) is _dict:
                if _tuple(container.items()) != contents:
                    container.clear()
                    container.update(contents)
            elif _tuple(container) != contents:
                container[:] = contents

    restore.protected = _frozenset(_id(f) for f, *_ in codes) | {_id(restore)}
    return restore


def _own_classes(own):
    """The classes the probe's modules define (a dispatch mode, say): what a cell patches in them is undone."""
    return [
        value
        for module in own
        for value in _list(_vars(module).values())
        if _type(value) is type and value.__module__ == module.__name__
    ]


def _cell_full(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def install_audit_hook(protected):
    """Refuse new audit hooks, and changes to the code or defaults of the functions in ``protected`` (ids).

    Added before any student code: audit hooks run in the order they were added,
    and a hook that raises RuntimeError on "sys.addaudithook" keeps the new one out.
    """

    def audit(event, args, _protected=_frozenset(protected), _id=_id, _error=_RuntimeError):
        if event == "sys.addaudithook":
            raise _error("ganchos de auditoria não são permitidos durante a avaliação")
        if event == "object.__setattr__" and args and _id(args[0]) in _protected:
            raise _error("funções usadas pela avaliação não podem ser alteradas")

    sys.addaudithook(audit)
    return audit


def capture_interpreter():
    """What `restore_for_probe` puts back: the interpreter's hooks and import machinery, as of now."""
    return (
        _tuple((name, getattr(sys, name)) for name in SYS_HOOKS),
        _tuple((name, _tuple(getattr(sys, name))) for name in IMPORT_STATE),
        _tuple(sys.path_importer_cache.items()),
        _tuple(sys.modules.items()),
    )


def restore_for_probe(captured):
    """In the probe's fork, before it looks at anything: the interpreter as the probe left it."""
    hooks, lists, importer_cache, modules = captured
    for name, value in hooks:
        setattr(sys, name, value)
    for name, items in lists:
        getattr(sys, name)[:] = items
    sys.path_importer_cache.clear()
    sys.path_importer_cache.update(importer_cache)
    # Modules known at the snapshot get their entries back; later ones stay (the student's code uses
    # them), which is safe because the probe's own steps import nothing after the snapshot.
    for name, module in modules:
        if sys.modules.get(name) is not module:
            sys.modules[name] = module


def stop_tracing():
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
    if monitoring is not None:
        for tool in range(6):
            try:
                monitoring.set_events(tool, 0)
                if monitoring.get_tool(tool) is not None:
                    monitoring.free_tool_id(tool)
            except (ValueError, RuntimeError):
                pass


def quiet_process():
    """In the probe's forked process: no tracers, no student signal handlers, GC callbacks or finalizers."""
    gc.disable()
    gc.callbacks.clear()
    stop_tracing()
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
