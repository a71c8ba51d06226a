"""Exercise 3, `autograd_descent`: square_and_grad and descend on f(x) = x**2."""

import numpy as np

from ...judge import Fail, check, close, expect, expect_requires_grad, expect_shape, glossary, grad_is_reset, matches

# --------------------------------------------------------------------------- the reference (the chapter's code)


def descend_closed_form(x0, lr, n_iter):
    return x0 * (1 - 2 * lr) ** n_iter


def descend_without_zeroing(x0, lr, n_iter):
    """The typical mistake, to name it in feedback: backward() adds each step's gradient to the last ones."""
    x, grad = x0, 0.0
    for _ in range(n_iter):
        grad += 2 * x
        x -= lr * grad
    return x


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
    return label, seen.sequence(d, label, 2, glossary.not_the_tuple(label, "(f, df)"))


@check(0.75, values=True)
def check_square_and_grad_values(seen, inputs):
    """The numbers, however they came back (a tensor instead of a float is judged by the next check)."""
    for i, x0 in enumerate(inputs["square_and_grad"]):
        label, (f, df) = _pair(seen, i, x0)
        expect(close(seen.scalar(f, label, "f(x0)"), x0**2, rtol=1e-5), glossary.wrong_number(label, "f(x0)", "x0**2"))
        expect(
            close(seen.scalar(df, label, "f'(x0)"), 2 * x0, rtol=1e-5),
            glossary.wrong_number(label, "f'(x0)", "2*x0"),
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
    return label, seen.tensor(f"descend/{i}", label, causes=glossary.update_errors("x"))


@check(1.0, values=True)
def check_descend_values(seen, inputs):
    for i, args in enumerate(inputs["descend"]):
        label, x = _descend(seen, i, args)
        expect_shape(x, (), label, also=[(1,)], expected_text="um tensor com um único valor, de forma () ou (1,)")
        if matches(x, np.reshape(descend_closed_form(*args), x.shape), rtol=1e-4, atol=1e-6):
            continue
        expect(
            not matches(x, np.reshape(descend_without_zeroing(*args), x.shape), rtol=1e-4, atol=1e-6),
            glossary.grad_accumulated(label, "x"),
        )
        raise Fail(glossary.wrong_final_value(label, "x", "x0 * (1 - 2*lr)**n_iter"))


@check(0.75)
def check_descend_returns_leaf_with_grad_reset(seen, inputs):
    for i, args in enumerate(inputs["descend"]):
        label, x = _descend(seen, i, args)
        expect_requires_grad(x, label, verb="devolveu um x com")
        expect(x.is_leaf, glossary.returned_not_a_leaf(label, "x", "atualize x dentro de torch.no_grad()"))
        expect(grad_is_reset(x), glossary.grad_not_zero(label, "x"))


CHECKS = [
    check_square_and_grad_values,
    check_square_and_grad_returns_python_floats,
    check_descend_values,
    check_descend_returns_leaf_with_grad_reset,
]
