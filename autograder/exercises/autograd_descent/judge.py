"""Exercise 3, `autograd_descent`: square_and_grad and descend on f(x) = x**2."""

from ...judge import check, close, expect

# --------------------------------------------------------------------------- the reference (the chapter's code)


def descend_closed_form(x0, lr, n_iter):
    return x0 * (1 - 2 * lr) ** n_iter


def square_and_grad(x0):
    return x0**2, 2 * x0


REFERENCE = (square_and_grad, descend_closed_form)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def square_and_grad(x0):
    x = torch.tensor(x0, requires_grad=True)
    f = x ** 2
    f.backward()
    return f.item(), x.grad.item()

def descend(x0, lr, n_iter):
    x = torch.tensor(x0, requires_grad=True)
    for _ in range(n_iter):
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad  # erro típico: esqueceu de zerar o gradiente
    return x
"""


def draw(rng):
    xs = [float(round(v, 3)) for v in rng.uniform(-5, 5, size=4)]
    descend = [
        [float(round(rng.uniform(-5, 5), 3)), float(round(rng.uniform(0.01, 0.45), 3)), n]
        for n in (0, 1, int(rng.integers(2, 10)), int(rng.integers(10, 40)))
    ]
    return {"square_and_grad": xs, "descend": descend}


def _pair(seen, i, x0):
    label = f"square_and_grad({x0})"
    d = seen.result(f"square_and_grad/{i}", label)
    expect(
        d["kind"] in ("tuple", "list") and d.get("length") == 2 and len(d.get("items", [])) == 2,
        f"{label} devolveu {d['kind'] if d['kind'] in ('tuple', 'list') else 'outro tipo'} que não é um par; "
        "esperado (f, df)",
    )
    return label, d["items"]


@check(0.75, values=True)
def check_square_and_grad_values(seen, inputs):
    for i, x0 in enumerate(inputs["square_and_grad"]):
        label, (f, df) = _pair(seen, i, x0)
        values = []
        for item in (f, df):
            if type(item) is dict and item.get("kind") == "tensor" and item.get("exact_type"):
                values.append(None)
            else:
                values.append(seen.python_float(item, label) if item.get("kind") == "float" else None)
        expect(
            values[0] is not None and close(values[0], x0**2, rtol=1e-5),
            f"{label} devolveu f(x0) errado (ou não numérico)",
        )
        expect(
            values[1] is not None and close(values[1], 2 * x0, rtol=1e-5),
            f"{label} devolveu uma derivada errada (ou não numérica)",
        )


@check(0.5)
def check_square_and_grad_returns_python_floats(seen, inputs):
    for i, x0 in enumerate(inputs["square_and_grad"]):
        label, items = _pair(seen, i, x0)
        for item in items:
            seen.python_float(item, label)


def _descend(seen, i, args):
    x0, lr, n_iter = args
    label = f"descend(x0={x0}, lr={lr}, n_iter={n_iter})"
    return label, seen.tensor(f"descend/{i}", label)


@check(1.0, values=True)
def check_descend_values(seen, inputs):
    for i, args in enumerate(inputs["descend"]):
        label, x = _descend(seen, i, args)
        expect(x.shape in ((), (1,)), f"{label} devolveu forma {x.shape}; esperado um tensor escalar")
        expect(
            x.values is not None and close(x.values.reshape(()), descend_closed_form(*args), rtol=1e-4, atol=1e-6),
            f"{label} devolveu um x final diferente de x0 * (1 - 2*lr)**n_iter",
        )


@check(0.75)
def check_descend_returns_leaf_with_grad_reset(seen, inputs):
    for i, args in enumerate(inputs["descend"]):
        label, x = _descend(seen, i, args)
        expect(x.requires_grad, f"{label} devolveu um x com requires_grad=False; esperado True")
        expect(x.is_leaf, f"{label} devolveu um x que não é folha do grafo (atualize x dentro de torch.no_grad())")
        g = x.grad
        expect(
            g is None or (g.values is not None and not g.values.any()),
            f"{label} devolveu x com .grad diferente de zero; zere o gradiente a cada passo",
        )


CHECKS = [
    check_square_and_grad_values,
    check_square_and_grad_returns_python_floats,
    check_descend_values,
    check_descend_returns_leaf_with_grad_reset,
]
