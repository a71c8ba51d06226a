"""Exercise 2, `move_to_device`: pick_device and gram_on.

CUDA/MPS availability is simulated inside the student's process; on a machine
without a GPU, placement is checked on the `meta` device, which has shapes and
dtypes but no data, so a hard-coded "cuda" or "cpu" shows. The probe records on
which devices gram_on's operations ran: a product computed on M's device and
only then moved is the mistake the exercise is about, and earns at most a
quarter of gram_on's points (values and M unchanged).
"""

from ...judge import (
    Fail,
    check,
    decode,
    encode,
    expect,
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
    return (M @ M.T).to(device)  # erro típico: calcula onde M está e só move o resultado
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
        found = seen.text(f"pick_device/{int(cuda)}{int(mps)}", label, expected)
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
    causes = {"AssertionError": glossary.HARD_CODED_CUDA} if device != "cuda" else None  # torch without CUDA
    return label, seen.tensor(f"gram_on/{i}/{device}", label, "result", causes), spec["shape"][0]


def _ran_on(seen, i, device, label):
    """The devices gram_on's products ran on; without any product (a sum of products by broadcasting, say),
    those of its other operations (copies between devices aside)."""
    key = f"gram_on/{i}/{device}"
    return set(seen.devices(key, "product_devices", label) or seen.devices(key, "op_devices", label))


@check(0.25, values=True)
def check_gram_on_values(seen, inputs):
    """The numbers, wherever they were computed: M @ M.T, in M's dtype."""
    for i, spec in enumerate(inputs["matrices"]):
        for device in [d for d in _devices(seen) if d != "meta"]:
            label, t, n = _gram(seen, i, spec, device)
            expect_shape(t, (n, n), label)
            dtype = f"torch.{spec['dtype']}"
            expect_dtype(t, dtype, label, expected_text=f"o dtype de M ({dtype}): não converta o tipo")
            if t.values is not None:  # CUDA results report no values: their device is what counts
                expect_values(t, gram(decode(spec)), label, "de M @ M.T", rtol=1e-4, atol=1e-5)


def _gram_left_on(seen, i, spec, device):
    """_gram, but when the call failed after a copy out of `device` (`.cpu()` on a `meta` result raises),
    that copy is the likely cause."""
    key, label = f"gram_on/{i}/{device}", _gram_label(spec, device)
    moved_to = {to for source, to in seen.moves(key, "moves", label) if source == device}
    try:
        return _gram(seen, i, spec, device)
    except Fail:
        expect(not moved_to, glossary.result_moved_back(label, glossary.devices_str(moved_to), device))
        raise


@check(1.5, values=True)
def check_gram_on_computes_on_device(seen, inputs):
    """What the exercise teaches: M @ M.T computed on `device`, and left there."""
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label, t, n = _gram_left_on(seen, i, spec, device)
            expect_shape(t, (n, n), label)
            ran_on = _ran_on(seen, i, device, label)
            expect(ran_on, glossary.no_product(label, device))
            if device in ran_on:
                expect(t.device == device, glossary.result_moved_back(label, t.device, device))
            elif t.device == device:
                raise Fail(glossary.computed_elsewhere(label, ran_on, device))
            else:
                raise Fail(glossary.not_computed_on(label, ran_on, device))
            if t.values is not None:
                expect_values(t, gram(decode(spec)), label, "de M @ M.T", rtol=1e-4, atol=1e-5)


@check(0.25)
def check_gram_on_leaves_input_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label, t, n = _gram(seen, i, spec, device)
            expect_shape(t, (n, n), label)  # only a real answer earns this: returning M untouched is not M @ M.T
            expect_unchanged(
                seen, f"gram_on/{i}/{device}", label, "M (valores ou dispositivo); M deve ficar como estava"
            )


CHECKS = [_pick_device_check(c, m) for c, m in SCENARIOS] + [
    check_gram_on_values,
    check_gram_on_computes_on_device,
    check_gram_on_leaves_input_unchanged,
]
