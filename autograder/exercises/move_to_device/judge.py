"""Exercise 2, `move_to_device`: pick_device and gram_on.

CUDA/MPS availability is simulated inside the student's process; on a machine
without a GPU, placement is checked on the `meta` device, which has shapes and
dtypes but no data, so a hard-coded "cuda" or "cpu" shows.
"""

from ...judge import check, close, decode, encode, expect, shape_str

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


def _scenario(cuda, mps):
    say = lambda ok: "disponível" if ok else "indisponível"  # noqa: E731
    return f"com CUDA {say(cuda)} e MPS {say(mps)}"


def _pick_device_check(cuda, mps):
    expected = pick_device(cuda, mps)

    @check(0.25, values=True)
    def check_pick_device(seen, inputs):
        label = "pick_device()"
        d = seen.result(f"pick_device/{int(cuda)}{int(mps)}", label)
        expect(d["kind"] == "str", f'{label} devolveu um valor que não é str; esperado "{expected}"')
        found = d.get("value")
        shown = f'"{found}"' if type(found) is str else "outro texto"
        expect(found == expected, f'{label} {_scenario(cuda, mps)} devolveu {shown}; esperado "{expected}"')

    check_pick_device.__name__ = f"check_pick_device_cuda_{int(cuda)}_mps_{int(mps)}"
    return check_pick_device


def _gram_label(spec, device):
    return f'gram_on(M, "{device}") com M de forma {shape_str(spec["shape"])}'


def _devices(seen):
    real = seen.raw("real_cuda", "gram_on")
    return ["cpu", "meta"] + (["cuda"] if type(real) is dict and real.get("value") is True else [])


@check(0.75, values=True)
def check_gram_on_values(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        M = decode(spec)
        for device in [d for d in _devices(seen) if d != "meta"]:
            label = _gram_label(spec, device)
            t = seen.tensor(f"gram_on/{i}/{device}", label, "result")
            expect(
                t.shape == (M.shape[0], M.shape[0]),
                f"{label} devolveu forma {shape_str(t.shape)}; esperado {shape_str((M.shape[0], M.shape[0]))}",
            )
            expect(
                t.dtype == f"torch.{spec['dtype']}",
                f"{label} devolveu dtype {t.dtype}; esperado o dtype de M (torch.{spec['dtype']})",
            )
            if t.values is not None:  # CUDA results report no values: their device is what counts
                expect(
                    close(t.values, gram(M), rtol=1e-4, atol=1e-5), f"{label} devolveu valores diferentes de M @ M.T"
                )


@check(0.75)
def check_gram_on_result_device(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label = _gram_label(spec, device)
            t = seen.tensor(f"gram_on/{i}/{device}", label, "result")
            expect(t.device == device, f"{label} devolveu um tensor no dispositivo {t.device}; esperado {device}")
            n = spec["shape"][0]
            expect(t.shape == (n, n), f"{label} devolveu forma {shape_str(t.shape)}; esperado ({n}, {n})")


@check(0.5)
def check_gram_on_leaves_input_unchanged(seen, inputs):
    for i, spec in enumerate(inputs["matrices"]):
        for device in _devices(seen):
            label = _gram_label(spec, device)
            t = seen.tensor(f"gram_on/{i}/{device}", label, "result")
            n = spec["shape"][0]
            # only a real answer earns this: returning M untouched is not M @ M.T
            expect(t.shape == (n, n) and t.device == device, f"{label} não devolveu M @ M.T")
            expect(
                seen.flag(f"gram_on/{i}/{device}", "input_unchanged", label),
                f"{label} modificou M (valores ou dispositivo); M deve ficar como estava",
            )


CHECKS = [_pick_device_check(c, m) for c, m in SCENARIOS] + [
    check_gram_on_values,
    check_gram_on_result_device,
    check_gram_on_leaves_input_unchanged,
]
