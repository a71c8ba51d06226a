"""Exercise 4, `fix_inplace`: z_fixed(t) = exp(t) + 1 without the in-place error."""

import numpy as np

from ...judge import check, close, decode, encode, expect, parse_tensor, shape_str

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


@check(1.0, values=True)
def check_z_fixed_values(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        z = _result(seen, i, spec)
        t = decode(spec)
        expect(z.shape == t.shape, f"{_label(spec)} devolveu forma {shape_str(z.shape)}; esperado a forma de t")
        expect(
            z.values is not None and close(z.values, np.exp(t.astype(np.float64)) + 1, rtol=1e-5),
            f"{_label(spec)} devolveu valores diferentes de exp(t) + 1",
        )


@check(1.25, values=True)
def check_z_fixed_gradient(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        label = _label(spec)
        z = _result(seen, i, spec)
        expect(z.has_grad_fn, f"{label} devolveu um tensor sem grad_fn: o resultado foi desconectado do grafo")
        record = seen.raw(f"z_fixed/{i}", label)
        backward = record.get("backward")
        expect(type(backward) is dict, f"{label}: não foi possível chamar backward()")
        if backward.get("ok") is not True:
            expect(False, f"backward() em {label} levantou um erro; esperado que funcionasse")
        t = parse_tensor(backward.get("t"))
        g = t.grad
        expect(
            g is not None and g.values is not None, f"depois de backward() em {label}, t.grad é None; esperado exp(t)"
        )
        expect(
            close(g.values, np.exp(decode(spec).astype(np.float64)), rtol=1e-5),
            f"depois de backward() em {label}, t.grad é diferente de exp(t)",
        )


@check(0.75)
def check_z_fixed_leaves_t_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["t"]):
        z = _result(seen, i, spec)
        expect(
            z.values is not None and close(z.values, np.exp(decode(spec).astype(np.float64)) + 1, rtol=1e-5),
            f"{_label(spec)} devolveu valores diferentes de exp(t) + 1",
        )
        expect(
            seen.flag(f"z_fixed/{i}", "input_unchanged", _label(spec)),
            f"{_label(spec)} modificou t; t deve ficar como estava",
        )


@check(0, gate=True)
def check_z_buggy_still_raises(seen, inputs):
    """The given z_buggy exists to show the error; redefining it into a fix is not the answer."""
    d = seen.raw("z_buggy", "z_buggy(t)")
    backward = d.get("backward") if type(d) is dict else None
    expect(
        type(backward) is dict and backward.get("ok") is False and backward.get("exception") == "RuntimeError",
        "z_buggy foi alterada: ela deve continuar levantando o RuntimeError do in-place; corrija em z_fixed",
    )


CHECKS = [check_z_fixed_values, check_z_fixed_gradient, check_z_fixed_leaves_t_unchanged, check_z_buggy_still_raises]
