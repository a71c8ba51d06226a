"""Test cases of `build_mlp`: wrong answers each check must catch, correct ones that must pass, and more.

- WRONG: (name, code, checks): every check named must fail and the score stay
  below the maximum; "*" stands for every check that carries points (then the
  score must be exactly 0, as when a gate fails).
- CORRECT: (name, code): alternatives a good student might write; full marks.
- hidden_numbers(judge, inputs): what the judge expects on hidden inputs (the
  feedback must never show these).
- STOCK_TEST: the plain asserts a stock nbgrader course would hide in the test
  cell (the baseline of `make bench` and `make security-report`).
"""

import numpy as np
import torch

from autograder.judge import decode

from .common import ALL, ALWAYS_EQUAL
from .mlp_common import BUILD_MLP, mlp_cell

WRONG = [
    (
        "relu_after_output",
        mlp_cell(
            BUILD_MLP.replace(
                "    layers.append(nn.Linear(n_inputs, n_outputs))\n",
                "    layers += [nn.Linear(n_inputs, n_outputs), nn.ReLU()]\n",
            )
        ),
        {"check_build_mlp_layers"},
    ),
    (
        "no_activation",
        mlp_cell(BUILD_MLP.replace("[nn.Linear(n_inputs, n), nn.ReLU()]", "[nn.Linear(n_inputs, n)]")),
        {"check_build_mlp_layers"},
    ),
    (
        "sigmoid_activation",
        mlp_cell(BUILD_MLP.replace("nn.ReLU()", "nn.Sigmoid()")),
        {"check_build_mlp_layers"},
    ),
    (
        "dropout_added",
        mlp_cell(BUILD_MLP.replace("nn.ReLU()]", "nn.ReLU(), nn.Dropout(0.2)]")),
        {"check_build_mlp_layers"},
    ),
    (
        "seed_inside",
        mlp_cell(BUILD_MLP.replace("    layers = []\n", "    torch.manual_seed(42)\n    layers = []\n")),
        {"check_build_mlp_initial_parameters"},
    ),
    (
        "output_layer_created_first",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            sizes = [n_inputs] + list(n_hidden)
            output = nn.Linear(sizes[-1], n_outputs)
            layers = []
            for n_in, n_out in zip(sizes[:-1], sizes[1:]):
                layers += [nn.Linear(n_in, n_out), nn.ReLU()]
            return nn.Sequential(*layers, output)
        """),
        {"check_build_mlp_initial_parameters"},
    ),
    (
        "without_bias",
        mlp_cell(
            BUILD_MLP.replace("nn.Linear(n_inputs, n)", "nn.Linear(n_inputs, n, bias=False)").replace(
                "nn.Linear(n_inputs, n_outputs)", "nn.Linear(n_inputs, n_outputs, bias=False)"
            )
        ),
        {"check_build_mlp_parameter_count", "check_build_mlp_initial_parameters"},
    ),
    (
        "every_layer_from_n_inputs",
        mlp_cell(BUILD_MLP.replace("        n_inputs = n\n", "")),
        {
            "check_build_mlp_features_chain",
            "check_build_mlp_parameter_count",
            "check_build_mlp_initial_parameters",
            "check_build_mlp_output",
        },
    ),
    (
        "ignores_n_outputs",
        mlp_cell(BUILD_MLP.replace("nn.Linear(n_inputs, n_outputs)", "nn.Linear(n_inputs, 1)")),
        {
            "check_build_mlp_features_chain",
            "check_build_mlp_parameter_count",
            "check_build_mlp_initial_parameters",
            "check_build_mlp_output",
        },
    ),
    (
        "sequential_subclass_with_own_forward",
        mlp_cell(
            """
        class MLP(nn.Sequential):
            def forward(self, X):
                return super().forward(X).clamp(min=0)
        """,
            BUILD_MLP.replace("nn.Sequential(*layers)", "MLP(*layers)"),
        ),
        {"check_build_mlp_layers", "check_build_mlp_output"},
    ),
    (
        "nested_sequentials",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            blocks = []
            for n in n_hidden:
                blocks.append(nn.Sequential(nn.Linear(n_inputs, n), nn.ReLU()))
                n_inputs = n
            return nn.Sequential(*blocks, nn.Linear(n_inputs, n_outputs))
        """),
        {"check_build_mlp_layers", "check_build_mlp_features_chain"},
    ),
    (
        "module_list",
        mlp_cell(BUILD_MLP.replace("nn.Sequential(*layers)", "nn.ModuleList(layers)")),
        {"check_build_mlp_layers", "check_build_mlp_output"},
    ),
    (
        "the_chapter_model_always",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            return nn.Sequential(nn.Linear(n_inputs, 50), nn.ReLU(), nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 1))
        """),
        ALL,
    ),
    (
        "always_equal_objects",
        mlp_cell(
            ALWAYS_EQUAL,
            """
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            return AlwaysEqual()
        """,
        ),
        ALL,
    ),
    (
        "stub_not_implemented",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            raise NotImplementedError()
        """),
        ALL,
    ),
]

CORRECT = [
    ("solution", mlp_cell(BUILD_MLP)),
    (
        "append_to_sequential",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            model = nn.Sequential()
            for n in n_hidden:
                model.append(nn.Linear(n_inputs, n))
                model.append(nn.ReLU(inplace=True))
                n_inputs = n
            model.append(nn.Linear(n_inputs, n_outputs))
            return model
        """),
    ),
    (
        "named_layers_with_sizes_list",
        mlp_cell("""
        from collections import OrderedDict

        def build_mlp(n_inputs: int, n_hidden: list[int], n_outputs: int = 1) -> nn.Sequential:
            sizes = [n_inputs, *n_hidden]
            layers = OrderedDict()
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers[f"hidden{i + 1}"] = nn.Linear(in_features=n_in, out_features=n_out, bias=True)
                layers[f"relu{i + 1}"] = nn.ReLU()
            layers["output"] = nn.Linear(sizes[-1], n_outputs)
            return nn.Sequential(layers).to(device)
        """),
    ),
    (
        "add_module",
        mlp_cell("""
        def build_mlp(n_inputs, n_hidden, n_outputs=1):
            model = nn.Sequential()
            previous = n_inputs
            for i, n in enumerate(n_hidden):
                model.add_module(f"linear_{i}", nn.Linear(previous, n))
                model.add_module(f"relu_{i}", nn.ReLU())
                previous = n
            model.add_module("output", nn.Linear(previous, n_outputs))
            return model
        """),
    ),
]


def hidden_numbers(judge, inputs):
    numbers = []
    for run in inputs["runs"]:
        model = judge.reference_model(run)
        numbers += [float(v) for p in model.parameters() for v in p.detach().numpy().ravel()]
        with torch.no_grad():
            numbers += list(model(torch.from_numpy(decode(run["X"]))).numpy().ravel())
    return [v for v in numbers if np.isfinite(v)]


STOCK_TEST = """import torch
import torch.nn as nn
torch.manual_seed(42)
model = build_mlp(8, [50, 40])
torch.manual_seed(42)
chapter = nn.Sequential(nn.Linear(8, 50), nn.ReLU(), nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 1))
assert [type(m) for m in model] == [type(m) for m in chapter]
assert all(torch.equal(p, q) for p, q in zip(model.parameters(), chapter.parameters()))
assert sum(p.numel() for p in model.parameters()) == 2531
assert build_mlp(4, [], 3)(torch.randn(5, 4)).shape == (5, 3)"""
