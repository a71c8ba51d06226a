"""Exercise 4, `fix_inplace`: z_fixed(t) = exp(t) + 1 without the in-place error."""

import numpy as np

from ...judge import (
    Fail,
    check,
    decode,
    encode,
    expect,
    expect_shape,
    expect_unchanged,
    expect_values,
    glossary,
    matches,
    shape_str,
)

# --------------------------------------------------------------------------- the reference (the chapter's code)


def z_fixed(t):
    return t.exp() + 1


REFERENCE = (z_fixed,)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def z_fixed(t):
    z = t.exp()
    z.data += 1  # erro típico: esconde o in-place do autograd, e o gradiente sai errado
    return z
"""


def draw(rng):
    scalar = np.array(float(round(rng.uniform(-2, 2), 4)), dtype=np.float32)
    vector = rng.uniform(-2, 2, size=int(rng.integers(3, 8))).astype(np.float32)
    matrix = rng.uniform(-2, 2, size=(2, int(rng.integers(2, 5)))).astype(np.float32)
    return {"t": [encode(scalar), encode(vector), encode(matrix)]}


def _label(spec):
    return f"z_fixed(t) com t de forma {shape_str(spec['shape'])}"


def _result(seen, i, spec):
    return seen.tensor(f"z_fixed/{i}", _label(spec), "result")


def _exp(spec):
    return np.exp(decode(spec).astype(np.float64))


# Points follow what the exercise teaches: exp(t) + 1 still connected to the graph, with the right gradient.
# The value and an unchanged t alone (a detached result, a sum done in .data) earn at most a third.


@check(0.5, values=True)
def check_z_fixed_values(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        label, z = _label(spec), _result(seen, i, spec)
        expect_shape(z, spec["shape"], label, expected_text="a forma de t")
        expect_values(z, _exp(spec) + 1, label, "de exp(t) + 1")


@check(2.0, values=True)
def check_z_fixed_gradient(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        label, z = _label(spec), _result(seen, i, spec)
        expect(z.has_grad_fn, glossary.detached_from_graph(label))
        run = seen.backward(f"z_fixed/{i}", label)
        expect(run is not None, glossary.backward_not_run(label))
        expect(run.ok, glossary.backward_raised(label, run.exception))
        expect(run.t.grad is not None and run.t.grad.values is not None, glossary.grad_is_none(label, "exp(t)"))
        if not matches(run.t.grad, _exp(spec)):
            expect(not matches(run.t.grad, _exp(spec) + 1), glossary.grad_of_hidden_inplace(label))
            raise Fail(glossary.wrong_grad(label, "exp(t)"))


@check(0.5)
def check_z_fixed_leaves_t_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        label, z = _label(spec), _result(seen, i, spec)
        expect_values(z, _exp(spec) + 1, label, "de exp(t) + 1")  # only a real answer earns this
        expect_unchanged(seen, f"z_fixed/{i}", label, "t; t deve ficar como estava")


@check(0, gate=True)
def check_z_buggy_still_raises(seen, inputs):
    """The given z_buggy exists to show the error; redefining it into a fix is not the answer."""
    run = seen.backward("z_buggy", "z_buggy(t)")
    expect(
        run is not None and not run.ok and run.exception == "RuntimeError",
        glossary.given_code_edited("z_buggy", "levantando o RuntimeError do in-place", "z_fixed"),
    )


CHECKS = [check_z_fixed_values, check_z_fixed_gradient, check_z_fixed_leaves_t_unchanged, check_z_buggy_still_raises]
