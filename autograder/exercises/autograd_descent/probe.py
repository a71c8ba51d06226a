"""Exercise 3, `autograd_descent`: the probe, run in the student's process on the judge's inputs.

It calls the student's functions and yields ``(key, observation)`` pairs of
plain data; expected values never appear here.
"""

from ...probe.observe import observe_call


def probe(ns, inputs):
    for i, x0 in enumerate(inputs["square_and_grad"]):
        yield f"square_and_grad/{i}", observe_call(ns, "square_and_grad", x0)[1]
    for i, (x0, lr, n_iter) in enumerate(inputs["descend"]):
        yield f"descend/{i}", observe_call(ns, "descend", x0, lr, n_iter)[1]
