"""Exercise 2, `move_to_device`: pick_device and gram_on.

CUDA/MPS availability is simulated inside the student's process; on a machine
without a GPU, placement is checked on the `meta` device, which has shapes and
dtypes but no data, so a hard-coded "cuda" or "cpu" shows.
"""

from ...judge import (
    check,
    decode,
    encode,
    expect,
    expect_device,
    expect_dtype,
    expect_shape,
    expect_unchanged,
    expect_values,
    glossary,
    shape_str,
)

# --------------------------------------------------------------------------- the reference (the chapter's code)


def pick_device(cuda, mps):
    return "cuda" if cuda else "mps" if mps else "cpu"


def gram(M):
    return M @ M.T


REFERENCE = (pick_device, gram)  # what the checks compare with

# A typical mistake, as a student writes it (the demo's third student makes it).
MISTAKE = """def pick_device():
    return "cuda"  # erro típico: dispositivo fixo

def gram_on(M, device):
    M = M.to(device)
    return M @ M.T
"""


SCENARIOS = [(True, True), (True, False), (False, True), (False, False)]


def draw(rng):
    matrices = []
    for dtype in ("float32", "float64"):
        rows = int(rng.integers(2, 6))
        cols = rows + int(rng.integers(1, 4))  # never square, so M @ M.T differs from M.T @ M
        if rng.random() < 0.5:
            rows, cols = cols, rows
        matrices.append(encode(rng.standard_normal((rows, cols)).astype(dtype)))
    return {"scenarios": [list(s) for s in SCENARIOS], "matrices": matrices}


def _pick_device_check(cuda, mps):
    expected = pick_device(cuda, mps)

    @check(0.25, values=True)
    def check_pick_device(seen, inputs):
        label = "pick_device()"
        found = seen.text(f"pick_device/{int(cuda)}{int(mps)}", label, glossary.not_a_str(label, expected))
        expect(found == expected, glossary.wrong_choice(f"{label} {glossary.availability(cuda, mps)}", found, expected))

    check_pick_device.__name__ = f"check_pick_device_cuda_{int(cuda)}_mps_{int(mps)}"
    return check_pick_device


def _gram_label(spec, device):
    return f'gram_on(M, "{device}") com M de forma {shape_str(spec["shape"])}'


def _devices(seen):
    real_cuda = seen.flag("real_cuda", "value", "gram_on")
    return ["cpu", "meta"] + (["cuda"] if real_cuda else [])


def _gram(seen, i, spec, device):
    """(label, result, n) of one gram_on call: n is M's number of rows, so the result is (n, n)."""
    label = _gram_label(spec, device)
    return label, seen.tensor(f"gram_on/{i}/{device}", label, "result"), spec["shape"][0]


@check(0.75, values=True)
def check_gram_on_values(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        M = decode(spec)
        for device in [d for d in _devices(seen) if d != "meta"]:
            label, t, n = _gram(seen, i, spec, device)
            expect_shape(t, (n, n), label)
            dtype = f"torch.{spec['dtype']}"
            expect_dtype(t, dtype, label, expected_text=f"o dtype de M ({dtype})")
            if t.values is not None:  # CUDA results report no values: their device is what counts
                expect_values(t, gram(M), label, "de M @ M.T", rtol=1e-4, atol=1e-5)


@check(0.75)
def check_gram_on_result_device(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label, t, n = _gram(seen, i, spec, device)
            expect_device(t, device, label)
            expect_shape(t, (n, n), label)


@check(0.5)
def check_gram_on_leaves_input_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label, t, n = _gram(seen, i, spec, device)
            # only a real answer earns this: returning M untouched is not M @ M.T
            expect(t.shape == (n, n) and t.device == device, glossary.not_the_result(label, "M @ M.T"))
            expect_unchanged(
                seen, f"gram_on/{i}/{device}", label, "M (valores ou dispositivo); M deve ficar como estava"
            )


CHECKS = [_pick_device_check(c, m) for c, m in SCENARIOS] + [
    check_gram_on_values,
    check_gram_on_result_device,
    check_gram_on_leaves_input_unchanged,
]
