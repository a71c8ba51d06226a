"""Exercise 14, `save_and_export`: save the weights and hyperparameters, load them back safely
(weights_only=True), export with a dynamic batch dimension.

The probe opens every file the student's functions write, in the sandbox; this
judge reads only its descriptions, and computes what the files must hold from
the weights it drew.
"""

import re

import numpy as np
import torch
import torch.nn as nn

from ...judge import (
    Fail,
    Malformed,
    check,
    close,
    decode,
    encode,
    expect,
    expect_dtype,
    expect_shape,
    glossary,
    parse_tensor,
)

# --------------------------------------------------------------------------- the reference (the chapter's code)


def save_model(model, hyperparameters, path):
    torch.save({"model_state_dict": model.state_dict(), "model_hyperparameters": hyperparameters}, path)


def load_model(model_class, path):
    model_data = torch.load(path, weights_only=True)
    model = model_class(**model_data["model_hyperparameters"])
    model.load_state_dict(model_data["model_state_dict"])
    model.eval()
    return model


def export_model(model, example_input, path):
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: batch},))
    torch.export.save(program, path)


REFERENCE = (save_model, load_model, export_model)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def save_model(model, hyperparameters: dict, path) -> None:
    torch.save({"model_state_dict": model.state_dict(), "model_hyperparameters": hyperparameters}, path)


def load_model(model_class, path) -> nn.Module:
    model_data = torch.load(path, weights_only=False)  # erro típico: abre qualquer arquivo, até um que executa código
    model = model_class(**model_data["model_hyperparameters"])
    model.load_state_dict(model_data["model_state_dict"])
    model.eval()
    return model


def export_model(model, example_input, path) -> None:
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: batch},))
    torch.export.save(program, path)
"""

SAVE, LOAD = "save_model(model, hyperparameters, path)", "load_model(model_class, path)"
EXPORT = "export_model(model, example_input, path)"

# --------------------------------------------------------------------------- hidden inputs


def _linear_weights(rng, prefix, n_in, n_out):
    bound = 1 / np.sqrt(n_in)
    return {
        f"{prefix}.weight": encode(rng.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)),
        f"{prefix}.bias": encode(rng.uniform(-bound, bound, size=n_out).astype(np.float32)),
    }


def _probe_net(rng):
    """Hyperparameters and weights of the probe's ProbeNet (hidden: Linear, dropout, output: Linear)."""
    n_inputs, n_hidden, n_outputs = int(rng.integers(2, 9)), int(rng.integers(3, 12)), int(rng.integers(1, 5))
    weights = _linear_weights(rng, "hidden", n_inputs, n_hidden) | _linear_weights(rng, "output", n_hidden, n_outputs)
    return {"hyperparameters": {"n_inputs": n_inputs, "n_hidden": n_hidden, "n_outputs": n_outputs}, "weights": weights}


def draw(rng):
    n_in, n_hidden, n_out = int(rng.integers(2, 9)), int(rng.integers(3, 12)), int(rng.integers(1, 5))
    n_example = int(rng.integers(2, 9))
    n_other = int(rng.choice([n for n in range(2, 12) if n != n_example]))
    export = {
        "layers": [[n_in, n_hidden], [n_hidden, n_out]],
        "weights": _linear_weights(rng, "0", n_in, n_hidden) | _linear_weights(rng, "2", n_hidden, n_out),
        "example": encode(rng.standard_normal((n_example, n_in)).astype(np.float32)),
        "other_batch": encode(rng.standard_normal((n_other, n_in)).astype(np.float32)),
    }
    return {"save": _probe_net(rng), "load": _probe_net(rng), "export": export}


# --------------------------------------------------------------------------- what the reference computes


def reference_program_output(spec):
    """The exported model's output on the other batch: the model itself, computed here."""
    (n_in, n_hidden), (_, n_out) = spec["layers"]
    model = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_out)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(decode(spec["weights"][name])))
        return model(torch.from_numpy(decode(spec["other_batch"]))).numpy()


# --------------------------------------------------------------------------- what the student's code returned


_EXCEPTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")


def _exception(d):
    """The exception name the probe reported (a Python identifier), or Malformed."""
    name = d.get("exception") if type(d) is dict else None
    if type(name) is not str or _EXCEPTION.match(name) is None:
        raise Malformed()
    return name


def _saved_file(seen):
    """The checkpoint save_model wrote, as the probe opened it (torch.load with weights_only=True)."""
    seen.result("save", SAVE, "result")  # Fail if save_model is missing or raised
    d = seen.raw("save", SAVE).get("file")
    expect(type(d) is dict, glossary.not_evaluated(SAVE))
    if d.get("loaded") is not True:
        raise Fail(glossary.checkpoint_refused(SAVE, _exception(d)))
    content = d.get("content")
    expect(
        type(content) is dict and content.get("kind") == "dict",
        glossary.checkpoint_not_a_dict(SAVE, glossary.describe(content)),
    )
    keys = d.get("keys")
    if type(keys) is not list or not all(type(k) is str for k in keys):
        raise Malformed()
    expect(
        sorted(keys) == ["model_hyperparameters", "model_state_dict"] and d.get("other_keys") == 0,
        glossary.checkpoint_keys(SAVE, keys),
    )
    return d


def _saved_hyperparameters(seen, d):
    """{name: number} of the saved hyperparameters that are Python ints (anything else maps to None)."""
    found = {}
    for item in d.get("hyperparameters") or []:
        if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
            raise Malformed()
        is_int = type(item[1]) is dict and item[1].get("kind") == "int"
        found[item[0]] = seen.number(item[1]) if is_int else None
    return found


def _saved_state(d):
    """{name: SeenTensor or None} of the saved state dict."""
    state = d.get("state")
    if state is None:
        return {}
    if type(state) is not list or not all(type(i) is list and len(i) == 2 and type(i[0]) is str for i in state):
        raise Malformed()
    return {
        name: parse_tensor(item) if type(item) is dict and item.get("kind") == "tensor" else None
        for name, item in state
    }


def _loaded_model(seen, inputs):
    """The model load_model rebuilt from the probe's checkpoint, its weights checked; Fail otherwise."""
    d = seen.result("load", LOAD, "result")
    expect(
        d.get("kind") == "module" and seen.flag("load", "exact_class", LOAD),
        glossary.not_rebuilt_from_class(LOAD, glossary.describe(d)),
    )
    model = seen.module(d, LOAD)
    weights = inputs["load"]["weights"]
    found = dict(model.named_parameters())
    expect(
        sorted(found) == sorted(weights)
        and all(t.values is not None and close(t.values, decode(weights[name]), 0, 0) for name, t in found.items()),
        glossary.loaded_weights_differ(LOAD),
    )
    return model


def _program_output(seen, inputs):
    """The output of the program export_model saved, called by the probe on a batch of another size."""
    spec = inputs["export"]
    n_example, n_other = spec["example"]["shape"][0], spec["other_batch"]["shape"][0]
    seen.result("export", EXPORT, "result")  # Fail if export_model is missing or raised
    program = seen.raw("export", EXPORT).get("program")
    expect(type(program) is dict, glossary.not_evaluated(EXPORT))
    if program.get("loaded") is not True:
        raise Fail(glossary.program_not_loadable(EXPORT, _exception(program)))
    output = program.get("output")
    if type(output) is dict and output.get("kind") == "error":
        raise Fail(glossary.program_fails_on_other_batch(EXPORT, _exception(output), n_example, n_other))
    return seen.tensor_from(output, f"a saída do programa gravado por {EXPORT}"), n_other


# --------------------------------------------------------------------------- the checks


@check(1.0, values=True)
def check_save_model_writes_weights_and_hyperparameters(seen, inputs):
    d = _saved_file(seen)
    spec = inputs["save"]
    state = _saved_state(d)
    expect(
        sorted(state) == sorted(spec["weights"])
        and all(
            t is not None
            and t.values is not None
            and t.dtype == "torch.float32"
            and close(t.values, decode(spec["weights"][name]), 0, 0)
            for name, t in state.items()
        ),
        glossary.checkpoint_state_differs(SAVE),
    )
    expected = {name: float(v) for name, v in spec["hyperparameters"].items()}
    expect(_saved_hyperparameters(seen, d) == expected, glossary.checkpoint_hyperparameters_differ(SAVE))


@check(0.5, values=True)
def check_load_model_rebuilds_in_eval_mode(seen, inputs):
    model = _loaded_model(seen, inputs)
    modes = [model.training] + [sub.training for _, sub in model.children if sub is not None]
    expect(not any(modes), glossary.left_in_training_mode(LOAD))


@check(0.5)
def check_load_model_refuses_arbitrary_objects(seen, inputs):
    _loaded_model(seen, inputs)  # it loads a checkpoint of weights and plain values, and no other
    raised, rebuilt = seen.flag("load_poisoned", "raised", LOAD), seen.flag("load_poisoned", "rebuilt", LOAD)
    expect(raised and not rebuilt, glossary.loads_arbitrary_objects(LOAD))


@check(0.75, values=True)
def check_export_handles_other_batch_sizes(seen, inputs):
    output, n_other = _program_output(seen, inputs)
    expected = reference_program_output(inputs["export"])
    label = f"o programa gravado por {EXPORT}"
    expect_shape(output, expected.shape, label, verb="deu")
    expect_dtype(output, "torch.float32", label, verb="deu")
    expect(
        output.values is not None and close(output.values, expected, rtol=1e-5, atol=1e-6),
        glossary.program_outputs_differ(EXPORT, n_other),
    )


@check(0.25)
def check_functions_leave_the_model_unchanged(seen, inputs):
    _saved_file(seen)  # they did their job...
    _program_output(seen, inputs)
    for key, label in (("save", SAVE), ("export", EXPORT)):  # ...and left the model as it was
        expect(seen.flag(key, "model_unchanged", label), glossary.changed_model(label, "o modelo (pesos ou modo)"))


CHECKS = [
    check_save_model_writes_weights_and_hyperparameters,
    check_load_model_rebuilds_in_eval_mode,
    check_load_model_refuses_arbitrary_objects,
    check_export_handles_other_batch_sizes,
    check_functions_leave_the_model_unchanged,
]
