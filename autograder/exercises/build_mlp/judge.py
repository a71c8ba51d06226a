"""Exercise 8, `build_mlp`: an MLP as an nn.Sequential of nn.Linear and nn.ReLU layers."""

import numpy as np
import torch
import torch.nn as nn

from ...judge import check, close, decode, encode, expect, glossary, networks, shape_str

# --------------------------------------------------------------------------- the reference (the chapter's code)


def build_mlp(n_inputs, n_hidden, n_outputs=1):
    layers = []
    for n in n_hidden:
        layers += [nn.Linear(n_inputs, n), nn.ReLU()]
        n_inputs = n
    layers.append(nn.Linear(n_inputs, n_outputs))
    return nn.Sequential(*layers)


REFERENCE = (build_mlp,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def build_mlp(n_inputs, n_hidden, n_outputs=1):
    layers = []
    for n in n_hidden:
        layers += [nn.Linear(n_inputs, n), nn.ReLU()]
        n_inputs = n
    layers += [nn.Linear(n_inputs, n_outputs), nn.ReLU()]  # erro típico: ativação também na saída
    return nn.Sequential(*layers)
"""


def _hidden_sizes(rng, low, high):
    return [int(n) for n in rng.integers(2, 24, size=int(rng.integers(low, high + 1)))]


def draw(rng):
    runs = [
        # the chapter's shape of network, with the default n_outputs
        {"n_inputs": int(rng.integers(2, 12)), "n_hidden": _hidden_sizes(rng, 1, 3), "n_outputs": None},
        # an empty n_hidden: a linear model, with several outputs
        {"n_inputs": int(rng.integers(2, 12)), "n_hidden": [], "n_outputs": int(rng.integers(2, 6))},
        # deeper, several outputs
        {
            "n_inputs": int(rng.integers(2, 12)),
            "n_hidden": _hidden_sizes(rng, 2, 3),
            "n_outputs": int(rng.integers(2, 5)),
        },
    ]
    for run in runs:
        run["seed"] = int(rng.integers(0, 100_000))
        run["X"] = encode(rng.standard_normal((int(rng.integers(3, 20)), run["n_inputs"])).astype(np.float32))
    return {"runs": runs}


def _n_outputs(run):
    return 1 if run["n_outputs"] is None else run["n_outputs"]


def reference_model(run):
    """The reference network, created after torch.manual_seed(run's seed); the grader's RNG is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(run["seed"])
        return build_mlp(run["n_inputs"], run["n_hidden"], _n_outputs(run))


def expected_layers(run):
    return ["Linear", "ReLU"] * len(run["n_hidden"]) + ["Linear"]


def _label(run):
    args = f"{run['n_inputs']}, {run['n_hidden']}" + ("" if run["n_outputs"] is None else f", {run['n_outputs']}")
    return f"build_mlp({args})"


def _model(seen, run, i):
    """The SeenModule build_mlp returned for run i (any nn.Module), or Fail."""
    label = _label(run)
    return label, seen.module(seen.raw(f"build_mlp/{i}", label).get("result"), label)


def _linears(module):
    return [child for _, child in module.children if child is not None and child.type == "nn.Linear"]


def _weight_shape(linear):
    weight = dict(linear.parameters).get("weight")
    return None if weight is None else weight.shape


@check(0.75)
def check_build_mlp_layers(seen, inputs):
    for i, run in enumerate(inputs["runs"]):
        label, model = _model(seen, run, i)
        expect(model.type == "nn.Sequential", glossary.not_sequential(label, model.type))
        found, expected = networks.layer_names(model), expected_layers(run)
        if found == expected + ["ReLU"]:
            expect(False, glossary.activation_after_output(label))
        expect(found == expected, glossary.wrong_layers(label, found, expected))


@check(0.5)
def check_build_mlp_features_chain(seen, inputs):
    for i, run in enumerate(inputs["runs"]):
        label, model = _model(seen, run, i)
        sizes = [run["n_inputs"], *run["n_hidden"], _n_outputs(run)]
        expected = [(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        found = [_weight_shape(linear) for linear in _linears(model)]
        expect(found == expected, glossary.wrong_feature_chain(label, found, expected))


@check(0.25)
def check_build_mlp_parameter_count(seen, inputs):
    for i, run in enumerate(inputs["runs"]):
        label, model = _model(seen, run, i)
        expected = sum(p.numel() for p in reference_model(run).parameters())
        found = model.parameter_count()
        expect(found == expected, glossary.wrong_parameter_count(label, found, expected))


@check(1.0, values=True)
def check_build_mlp_initial_parameters(seen, inputs):
    for i, run in enumerate(inputs["runs"]):
        label, model = _model(seen, run, i)
        expected = [p.detach().numpy() for p in reference_model(run).parameters()]
        found = networks.parameter_values(model)
        same = len(found) == len(expected) and all(
            values is not None and close(values, e, rtol=1e-6, atol=1e-7) for (_, values), e in zip(found, expected)
        )
        expect(same, glossary.initial_parameters_differ(label))


@check(0.5, values=True)
def check_build_mlp_output(seen, inputs):
    for i, run in enumerate(inputs["runs"]):
        label, model = _model(seen, run, i)
        n = run["X"]["shape"][0]
        what = f"{label}(X), com X de forma {shape_str(run['X']['shape'])},"
        output = seen.tensor(f"build_mlp/{i}", f"o modelo de {label}", "output")
        expect(output.shape == (n, _n_outputs(run)), glossary.wrong_shape(what, output.shape, (n, _n_outputs(run))))
        expect(output.dtype == "torch.float32", glossary.wrong_dtype(what, output.dtype, "torch.float32"))
        expected = networks.forward_layers(model, decode(run["X"]))
        expect(
            expected is None or (output.values is not None and close(output.values, expected, rtol=1e-4, atol=1e-5)),
            glossary.output_not_from_layers(what),
        )


CHECKS = [
    check_build_mlp_layers,
    check_build_mlp_features_chain,
    check_build_mlp_parameter_count,
    check_build_mlp_initial_parameters,
    check_build_mlp_output,
]
