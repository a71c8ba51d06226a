"""Student submissions for testing the hidden checks: wrong ones and correct ones.

Each code string is what a student could write in an exercise's solution cell.
The tests exec it in a fresh namespace prefilled with ``torch``, ``np`` and
``nn`` (what the notebooks' locked setup cells import). The fix_inplace strings
start with the locked cell that defines ``z_buggy``, as the notebook runs it
before the student's cell.

- ``WRONG[exercise]``: ``(name, code, checks)``: every check named in ``checks``
  must fail and the score must stay below the maximum. ``"*"`` stands for every
  check that carries points: such a submission must score exactly 0, as must
  one that fails a gate (a check that zeroes the whole exercise).
- ``CORRECT[exercise]``: ``(name, code)``: alternatives a good student might
  write; each must get full marks.
"""

from textwrap import dedent

ALL = frozenset({"*"})

Z_BUGGY = "def z_buggy(t):\n    z = t.exp()\n    z += 1\n    return z\n"


def cell(*parts):
    """A solution cell made of function definitions (each dedented)."""
    return "\n\n".join(dedent(p).strip("\n") for p in parts) + "\n"


def fix_cell(*parts):
    """The locked z_buggy cell, then the student's cell."""
    return Z_BUGGY + "\n\n" + cell(*parts)


# Objects that pretend to be what the checks want.
ALWAYS_EQUAL = """
class AlwaysEqual:
    dtype = torch.float32
    shape = (2, 3)
    requires_grad = True
    is_leaf = True
    grad = None
    grad_fn = None
    device = torch.device("cpu")
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __len__(self): return 1
    def __getitem__(self, i): return self
    def __iter__(self): return iter([self, self, self])
    def item(self): return self
    def tolist(self): return self
    def numel(self): return 6
    def __float__(self): return 0.0
"""

SUBCLASS = """
class MyTensor(torch.Tensor):
    pass
"""

# --------------------------------------------------------------------------- 1
MAKE_MATRIX = """
def make_matrix():
    return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
"""
TO_FLOAT32 = """
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
"""
COLUMN_VECTOR = """
def column_vector(y):
    if isinstance(y, torch.Tensor):
        return y.to(torch.float32).reshape(-1, 1).clone()
    return torch.from_numpy(np.array(y, dtype=np.float32)).reshape(-1, 1)
"""

CREATE_TENSORS_WRONG = [
    ("to_float32_keeps_float64", cell(MAKE_MATRIX, """
        def to_float32(a):
            return torch.tensor(a)
        """, COLUMN_VECTOR), {"check_to_float32_dtype"}),
    ("to_float32_from_numpy_only", cell(MAKE_MATRIX, """
        def to_float32(a):
            return torch.from_numpy(a)
        """, COLUMN_VECTOR), {"check_to_float32_dtype"}),
    ("to_float32_hardcoded", cell(MAKE_MATRIX, """
        def to_float32(a):
            return make_matrix()
        """, COLUMN_VECTOR), {"check_to_float32_shape_and_values"}),
    ("to_float32_flattens", cell(MAKE_MATRIX, """
        def to_float32(a):
            return torch.tensor(a.ravel(), dtype=torch.float32)
        """, COLUMN_VECTOR), {"check_to_float32_shape_and_values"}),
    ("to_float32_returns_numpy", cell(MAKE_MATRIX, """
        def to_float32(a):
            return a.astype(np.float32)
        """, COLUMN_VECTOR),
     {"check_to_float32_dtype", "check_to_float32_shape_and_values", "check_to_float32_leaves_input_unchanged"}),
    ("to_float32_modifies_input", cell(MAKE_MATRIX, """
        def to_float32(a):
            a[...] = a.astype(np.float32)  # "converte" a no lugar
            return torch.from_numpy(a.astype(np.float32))
        """, COLUMN_VECTOR), {"check_to_float32_leaves_input_unchanged"}),
    ("to_float32_right_only_first_call", cell(MAKE_MATRIX, """
        _cache = []
        def to_float32(a):
            if not _cache:
                _cache.append(torch.tensor(a, dtype=torch.float32))
            return _cache[0]
        """, COLUMN_VECTOR), {"check_to_float32_shape_and_values"}),
    ("column_vector_flat", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32)
        """), {"check_column_vector_dtype_and_shape", "check_column_vector_values"}),
    ("column_vector_row", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(1, -1)
        """), {"check_column_vector_dtype_and_shape", "check_column_vector_values"}),
    ("column_vector_float64", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            return torch.tensor(np.asarray(y, dtype=np.float64)).reshape(-1, 1)
        """), {"check_column_vector_dtype_and_shape"}),
    ("column_vector_hardcoded_visible", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            return torch.tensor([[0.5], [1.5], [2.5]])
        """), {"check_column_vector_dtype_and_shape", "check_column_vector_values"}),
    ("column_vector_arange", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            return torch.arange(len(y), dtype=torch.float32).reshape(-1, 1)
        """), {"check_column_vector_values"}),
    ("column_vector_modifies_input", cell(MAKE_MATRIX, TO_FLOAT32, """
        def column_vector(y):
            if isinstance(y, torch.Tensor):
                return y.unsqueeze_(1).float()
            y.shape = (-1, 1)
            return torch.tensor(y, dtype=torch.float32)
        """), {"check_column_vector_values"}),
    ("make_matrix_float64", cell("""
        def make_matrix():
            return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]], dtype=torch.float64)
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_dtype_and_shape"}),
    ("make_matrix_int64", cell("""
        def make_matrix():
            return torch.tensor([[1, 4, 7], [2, 3, 6]])
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_dtype_and_shape"}),
    ("make_matrix_demo_values", cell("""
        def make_matrix():
            return torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_values"}),
    ("make_matrix_transposed", cell("""
        def make_matrix():
            return torch.tensor([[1.0, 2.0], [4.0, 3.0], [7.0, 6.0]])
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_dtype_and_shape", "check_make_matrix_values"}),
    ("make_matrix_numpy", cell("""
        def make_matrix():
            return np.array([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]], dtype=np.float32)
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_dtype_and_shape", "check_make_matrix_values"}),
    ("make_matrix_right_only_first_call", cell("""
        _calls = []
        def make_matrix():
            _calls.append(1)
            if len(_calls) == 1:
                return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
            return torch.zeros(2, 3)
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_values"}),
    ("make_matrix_shared_and_mutated", cell("""
        _M = torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]])
        def make_matrix():
            _M.add_(1)
            return _M
        """, TO_FLOAT32, COLUMN_VECTOR), {"check_make_matrix_values"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def make_matrix():
            return AlwaysEqual()
        def to_float32(a):
            return AlwaysEqual()
        def column_vector(y):
            return AlwaysEqual()
        """), ALL),
    ("tensor_subclass", cell(SUBCLASS, """
        def make_matrix():
            return torch.tensor([[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]]).as_subclass(MyTensor)
        def to_float32(a):
            return torch.tensor(a, dtype=torch.float32).as_subclass(MyTensor)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).as_subclass(MyTensor)
        """), ALL),
    ("stub_not_implemented", cell("""
        def make_matrix():
            raise NotImplementedError()
        def to_float32(a):
            raise NotImplementedError()
        def column_vector(y):
            raise NotImplementedError()
        """), ALL),
    ("only_make_matrix_defined", cell(MAKE_MATRIX),
     {"check_to_float32_dtype", "check_to_float32_shape_and_values", "check_to_float32_leaves_input_unchanged",
      "check_column_vector_dtype_and_shape", "check_column_vector_values"}),
]

CREATE_TENSORS_CORRECT = [
    ("solution", cell(MAKE_MATRIX, TO_FLOAT32, COLUMN_VECTOR)),
    ("tensor_with_dtype", cell("""
        def make_matrix():
            return torch.tensor([[1, 4, 7], [2, 3, 6]], dtype=torch.float32)
        def to_float32(a):
            return torch.tensor(a, dtype=torch.float32)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
        """)),
    ("from_numpy_astype", cell("""
        def make_matrix():
            return torch.FloatTensor([[1, 4, 7], [2, 3, 6]])
        def to_float32(a):
            return torch.from_numpy(a.astype(np.float32))
        def column_vector(y):
            return torch.as_tensor(y).float().view(-1, 1)
        """)),
    ("as_tensor", cell("""
        def make_matrix():
            return torch.tensor([1.0, 4.0, 7.0, 2.0, 3.0, 6.0]).reshape(2, 3)
        def to_float32(a):
            return torch.as_tensor(a, dtype=torch.float32)
        def column_vector(y):
            return torch.as_tensor(y, dtype=torch.float32).unsqueeze(1)
        """)),
    ("tensor_then_float", cell("""
        def make_matrix():
            return torch.tensor([[1, 2], [4, 3], [7, 6]]).T.float()
        def to_float32(a):
            return torch.tensor(a).float()
        def column_vector(y):
            if isinstance(y, np.ndarray):
                y = torch.from_numpy(y)
            return y.float()[:, None]
        """)),
    ("copy_then_to", cell("""
        def make_matrix():
            m = torch.zeros(2, 3)
            m[0] = torch.tensor([1.0, 4.0, 7.0])
            m[1] = torch.tensor([2.0, 3.0, 6.0])
            return m
        def to_float32(a):
            return torch.from_numpy(a.copy()).to(torch.float32)
        def column_vector(y):
            return torch.tensor(np.asarray(y), dtype=torch.float32).reshape(len(y), 1)
        """)),
]

# --------------------------------------------------------------------------- 2
PICK_DEVICE = """
def pick_device():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
"""
GRAM_ON = """
def gram_on(M, device):
    M_dev = M.to(device)
    return M_dev @ M_dev.T
"""

MOVE_TO_DEVICE_WRONG = [
    ("pick_device_hardcoded_cuda", cell("""
        def pick_device():
            return "cuda"
        """, GRAM_ON), {"check_pick_device_cuda_0_mps_1", "check_pick_device_cuda_0_mps_0"}),
    ("pick_device_always_cpu", cell("""
        def pick_device():
            return "cpu"
        """, GRAM_ON),
     {"check_pick_device_cuda_1_mps_1", "check_pick_device_cuda_1_mps_0", "check_pick_device_cuda_0_mps_1"}),
    ("pick_device_ignores_mps", cell("""
        def pick_device():
            return "cuda" if torch.cuda.is_available() else "cpu"
        """, GRAM_ON), {"check_pick_device_cuda_0_mps_1"}),
    ("pick_device_mps_first", cell("""
        def pick_device():
            if torch.backends.mps.is_available():
                return "mps"
            if torch.cuda.is_available():
                return "cuda"
            return "cpu"
        """, GRAM_ON), {"check_pick_device_cuda_1_mps_1"}),
    ("pick_device_returns_torch_device", cell("""
        def pick_device():
            if torch.cuda.is_available():
                return torch.device("cuda")
            if torch.backends.mps.is_available():
                return torch.device("mps")
            return torch.device("cpu")
        """, GRAM_ON),
     {"check_pick_device_cuda_1_mps_1", "check_pick_device_cuda_1_mps_0", "check_pick_device_cuda_0_mps_1",
      "check_pick_device_cuda_0_mps_0"}),
    # Decided once when the cell runs: wrong for MPS-only whatever the grading machine has.
    ("pick_device_decided_at_import", cell("""
        DEVICE = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
        def pick_device():
            return DEVICE
        """, GRAM_ON), {"check_pick_device_cuda_0_mps_1"}),
    ("gram_on_hardcoded_cuda", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M_dev = M.to("cuda")
            return M_dev @ M_dev.T
        """), {"check_gram_on_result_device"}),
    ("gram_on_ignores_device", cell(PICK_DEVICE, """
        def gram_on(M, device):
            return M @ M.T
        """), {"check_gram_on_result_device"}),
    ("gram_on_returns_to_cpu", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M_dev = M.to(device)
            return (M_dev @ M_dev.T).cpu()
        """), {"check_gram_on_result_device"}),
    ("gram_on_wrong_product", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M_dev = M.to(device)
            return M_dev.T @ M_dev
        """), {"check_gram_on_values", "check_gram_on_result_device"}),
    ("gram_on_casts_to_float32", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M_dev = M.to(device, torch.float32)
            return M_dev @ M_dev.T
        """), {"check_gram_on_values"}),
    ("gram_on_hardcoded_visible", cell(PICK_DEVICE, """
        def gram_on(M, device):
            return torch.tensor([[14.0, 38.0], [38.0, 126.0]], device=device)
        """), {"check_gram_on_values"}),
    ("gram_on_moves_M_data", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M.data = M.data.to(device)
            return M @ M.T
        """), {"check_gram_on_result_device", "check_gram_on_leaves_input_unchanged"}),
    ("gram_on_clobbers_M", cell(PICK_DEVICE, """
        def gram_on(M, device):
            M_dev = M.to(device)
            G = M_dev @ M_dev.T
            M.zero_()
            return G
        """), {"check_gram_on_leaves_input_unchanged"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def pick_device():
            return AlwaysEqual()
        def gram_on(M, device):
            return AlwaysEqual()
        """), ALL),
    ("tensor_subclass", cell(PICK_DEVICE, SUBCLASS, """
        def gram_on(M, device):
            M_dev = M.to(device)
            return (M_dev @ M_dev.T).as_subclass(MyTensor)
        """), {"check_gram_on_values", "check_gram_on_result_device", "check_gram_on_leaves_input_unchanged"}),
    ("stub_not_implemented", cell("""
        def pick_device():
            raise NotImplementedError()
        def gram_on(M, device):
            raise NotImplementedError()
        """), ALL),
]

MOVE_TO_DEVICE_CORRECT = [
    ("solution", cell(PICK_DEVICE, GRAM_ON)),
    ("elif_and_mm", cell("""
        def pick_device():
            if torch.cuda.is_available():
                return "cuda"
            elif torch.backends.mps.is_available():
                return "mps"
            else:
                return "cpu"
        def gram_on(M, device):
            M_dev = M.to(device)
            return torch.mm(M_dev, M_dev.t())
        """)),
    ("ternary_and_matmul", cell("""
        def pick_device():
            return "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
        def gram_on(M, device):
            return torch.matmul(M.to(device), M.to(device).transpose(0, 1))
        """)),
    ("overwritten_choice_and_device_object", cell("""
        def pick_device():
            device = "cpu"
            if torch.backends.mps.is_available():
                device = "mps"
            if torch.cuda.is_available():
                device = "cuda"
            return device
        def gram_on(M, device):
            M_dev = M.to(device=torch.device(device))
            return M_dev @ M_dev.mT
        """)),
    ("import_inside_and_einsum", cell("""
        def pick_device():
            from torch.cuda import is_available as cuda_ok
            from torch.backends.mps import is_available as mps_ok
            for name, ok in (("cuda", cuda_ok), ("mps", mps_ok)):
                if ok():
                    return name
            return "cpu"
        def gram_on(M, device):
            X = M.clone().to(device)
            return torch.einsum("ij,kj->ik", X, X)
        """)),
]

# --------------------------------------------------------------------------- 3
SQUARE_AND_GRAD = """
def square_and_grad(x0):
    x = torch.tensor(x0, requires_grad=True)
    f = x ** 2
    f.backward()
    return f.item(), x.grad.item()
"""
DESCEND = """
def descend(x0, lr, n_iter):
    x = torch.tensor(x0, requires_grad=True)
    for _ in range(n_iter):
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
    return x
"""


def _descend(body, ret="x"):
    """descend() with the loop body replaced (indented for the for loop)."""
    return ("def descend(x0, lr, n_iter):\n    x = torch.tensor(x0, requires_grad=True)\n"
            "    for _ in range(n_iter):\n" + "".join("        " + line + "\n" for line in dedent(body).strip().splitlines())
            + f"    return {ret}\n")


AUTOGRAD_DESCENT_WRONG = [
    ("square_and_grad_returns_tensors", cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f, x.grad
        """, DESCEND), {"check_square_and_grad_values", "check_square_and_grad_returns_python_floats"}),
    ("square_and_grad_returns_numpy", cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.detach().numpy(), x.grad.numpy()
        """, DESCEND), {"check_square_and_grad_values", "check_square_and_grad_returns_python_floats"}),
    ("square_and_grad_hardcoded_visible", cell("""
        def square_and_grad(x0):
            return 9.0, 6.0
        """, DESCEND), {"check_square_and_grad_values"}),
    ("square_and_grad_returns_only_f", cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.item()
        """, DESCEND), {"check_square_and_grad_values", "check_square_and_grad_returns_python_floats"}),
    ("square_and_grad_global_x_accumulates", cell("""
        x = torch.tensor(0.0, requires_grad=True)
        def square_and_grad(x0):
            with torch.no_grad():
                x.fill_(x0)
            f = x ** 2
            f.backward()
            return f.item(), x.grad.item()
        """, DESCEND), {"check_square_and_grad_values"}),
    ("descend_missing_zero_grad", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        """)), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("descend_update_outside_no_grad", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        x -= lr * x.grad
        x.grad.zero_()
        """)), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("descend_rebinds_x", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        x = x - lr * x.grad
        """)), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("descend_rebinds_x_in_no_grad", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x = x - lr * x.grad
        """)), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("descend_zeroes_before_backward", cell(SQUARE_AND_GRAD, _descend("""
        if x.grad is not None:
            x.grad.zero_()
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        """)), {"check_descend_returns_leaf_with_grad_reset"}),
    ("descend_ignores_lr", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
            x.grad.zero_()
        """)), {"check_descend_values"}),
    ("descend_ignores_n_iter", cell(SQUARE_AND_GRAD, """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(5):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """), {"check_descend_values"}),
    ("descend_off_by_one", cell(SQUARE_AND_GRAD, """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(n_iter + 1):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """), {"check_descend_values"}),
    ("descend_hardcoded_visible", cell(SQUARE_AND_GRAD, """
        def descend(x0, lr, n_iter):
            return torch.tensor(0.32768, requires_grad=True)
        """), {"check_descend_values"}),
    ("descend_returns_detached", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
        """, ret="x.detach()")), {"check_descend_returns_leaf_with_grad_reset"}),
    ("descend_returns_parameter", cell(SQUARE_AND_GRAD, """
        def descend(x0, lr, n_iter):
            x = nn.Parameter(torch.tensor(x0))
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("descend_returns_float", cell(SQUARE_AND_GRAD, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
        """, ret="x.item()")), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def square_and_grad(x0):
            return AlwaysEqual(), AlwaysEqual()
        def descend(x0, lr, n_iter):
            return AlwaysEqual()
        """), ALL),
    ("tensor_subclass", cell(SQUARE_AND_GRAD, SUBCLASS, """
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, requires_grad=True)
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x.as_subclass(MyTensor)
        """), {"check_descend_values", "check_descend_returns_leaf_with_grad_reset"}),
    ("stub_not_implemented", cell("""
        def square_and_grad(x0):
            raise NotImplementedError()
        def descend(x0, lr, n_iter):
            raise NotImplementedError()
        """), ALL),
]

AUTOGRAD_DESCENT_CORRECT = [
    ("solution", cell(SQUARE_AND_GRAD, DESCEND)),
    ("grad_none_and_float", cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, requires_grad=True)
            f = x ** 2
            f.backward()
            return float(f), float(x.grad)
        """, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
        """))),
    ("one_element_vector", cell("""
        def square_and_grad(x0):
            x = torch.tensor([x0], requires_grad=True)
            f = (x ** 2).sum()
            f.backward()
            return f.item(), x.grad.item()
        def descend(x0, lr, n_iter):
            x = torch.tensor([x0], requires_grad=True)
            for _ in range(n_iter):
                loss = (x ** 2).sum()
                loss.backward()
                with torch.no_grad():
                    x.sub_(lr * x.grad)
                x.grad.zero_()
            return x
        """)),
    ("rebind_in_no_grad_then_requires_grad", cell("""
        def square_and_grad(x0):
            x = torch.tensor(float(x0), requires_grad=True)
            y = x.pow(2)
            y.backward()
            return y.item(), x.grad.item()
        """, _descend("""
        f = x ** 2
        f.backward()
        with torch.no_grad():
            x = x - lr * x.grad
        x.requires_grad_()
        """))),
    ("float64", cell("""
        def square_and_grad(x0):
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            f = x ** 2
            f.backward()
            return f.item(), x.grad.item()
        def descend(x0, lr, n_iter):
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            for _ in range(n_iter):
                f = x ** 2
                f.backward()
                with torch.no_grad():
                    x -= lr * x.grad
                    x.grad.zero_()
            return x
        """)),
]

# --------------------------------------------------------------------------- 4
Z_FIXED = """
def z_fixed(t):
    return t.exp() + 1
"""

FIX_INPLACE_WRONG = [
    ("detached_result", fix_cell("""
        def z_fixed(t):
            return (t.exp() + 1).detach()
        """), {"check_z_fixed_gradient"}),
    ("data_inplace", fix_cell("""
        def z_fixed(t):
            z = t.exp()
            z.data += 1
            return z
        """), {"check_z_fixed_gradient"}),
    ("still_inplace", fix_cell("""
        def z_fixed(t):
            z = torch.exp(t)
            z.add_(1)
            return z
        """), {"check_z_fixed_gradient"}),
    ("computed_in_no_grad", fix_cell("""
        def z_fixed(t):
            with torch.no_grad():
                return t.exp() + 1
        """), {"check_z_fixed_gradient"}),
    ("numpy_roundtrip", fix_cell("""
        def z_fixed(t):
            return torch.tensor(np.exp(t.detach().numpy()) + 1)
        """), {"check_z_fixed_gradient"}),
    ("calls_z_buggy", fix_cell("""
        def z_fixed(t):
            return z_buggy(t)
        """), {"check_z_fixed_gradient"}),
    ("missing_plus_one", fix_cell("""
        def z_fixed(t):
            return t.exp()
        """), {"check_z_fixed_values"}),
    ("exp_of_t_plus_one", fix_cell("""
        def z_fixed(t):
            return torch.exp(t + 1)
        """), {"check_z_fixed_values", "check_z_fixed_gradient"}),
    ("modifies_t", fix_cell("""
        def z_fixed(t):
            z = torch.exp(t) + 1
            t.data.mul_(2)
            return z
        """), {"check_z_fixed_leaves_t_unchanged"}),
    ("z_buggy_redefined_into_fix", fix_cell("""
        def z_buggy(t):
            z = t.exp()
            z = z + 1
            return z
        """, Z_FIXED), {"check_z_buggy_still_raises"}),
    ("z_buggy_deleted", fix_cell("del z_buggy", Z_FIXED), {"check_z_buggy_still_raises"}),
    ("z_buggy_raises_directly", fix_cell("""
        def z_buggy(t):
            raise RuntimeError("in-place")
        """, Z_FIXED), {"check_z_buggy_still_raises"}),
    ("always_equal_objects", fix_cell(ALWAYS_EQUAL, """
        def z_fixed(t):
            return AlwaysEqual()
        """), ALL),
    ("tensor_subclass", fix_cell(SUBCLASS, """
        def z_fixed(t):
            return (t.exp() + 1).as_subclass(MyTensor)
        """), ALL),
    ("stub_not_implemented", fix_cell("""
        def z_fixed(t):
            raise NotImplementedError()
        """), ALL),
]

FIX_INPLACE_CORRECT = [
    ("solution", fix_cell(Z_FIXED)),
    ("torch_exp_plus_one", fix_cell("""
        def z_fixed(t):
            return torch.exp(t) + 1
        """)),
    ("one_plus_exp", fix_cell("""
        def z_fixed(t):
            return 1 + t.exp()
        """)),
    ("add_method", fix_cell("""
        def z_fixed(t):
            return t.exp().add(1)
        """)),
    ("torch_add", fix_cell("""
        def z_fixed(t):
            return torch.add(torch.exp(t), 1)
        """)),
    ("rebind_z", fix_cell("""
        def z_fixed(t):
            z = t.exp()
            z = z + 1
            return z
        """)),
    ("clone_then_inplace", fix_cell("""
        def z_fixed(t):
            z = t.exp().clone()
            z += 1
            return z
        """)),
    ("ones_like", fix_cell("""
        def z_fixed(t):
            return torch.exp(t) + torch.ones_like(t)
        """)),
]

# --------------------------------------------------------------------------- 5
STANDARDIZE = """
def standardize(X_train, X_valid, X_test):
    X_train = torch.from_numpy(X_train.astype(np.float32))
    X_valid = torch.from_numpy(X_valid.astype(np.float32))
    X_test = torch.from_numpy(X_test.astype(np.float32))
    means = X_train.mean(dim=0, keepdim=True)
    stds = X_train.std(dim=0, keepdim=True)
    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
"""
TO_COLUMN = """
def to_column(y):
    return torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
"""


def _standardize(stats):
    """standardize() whose statistics come from `stats` (code with X_train, X_valid, X_test as tensors)."""
    return ("def standardize(X_train, X_valid, X_test):\n"
            "    X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))\n"
            + "".join("    " + line + "\n" for line in dedent(stats).strip().splitlines())
            + "    return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds\n")


PREPARE_DATA_WRONG = [
    ("test_statistics", cell(_standardize("""
        means, stds = X_test.mean(dim=0), X_test.std(dim=0)
        """), TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("valid_statistics", cell(_standardize("""
        means, stds = X_valid.mean(dim=0), X_valid.std(dim=0)
        """), TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("each_split_own_statistics", cell("""
        def standardize(X_train, X_valid, X_test):
            out = []
            for X in (X_train, X_valid, X_test):
                X = torch.tensor(X, dtype=torch.float32)
                out.append((X - X.mean(dim=0)) / X.std(dim=0))
            return tuple(out)
        """, TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("biased_std", cell(_standardize("""
        means, stds = X_train.mean(dim=0), X_train.std(dim=0, unbiased=False)
        """), TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("numpy_default_std", cell("""
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0)
            return tuple(torch.tensor((X - means) / stds, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """, TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("sklearn_standard_scaler", cell("""
        def standardize(X_train, X_valid, X_test):
            from sklearn.preprocessing import StandardScaler
            scaler = StandardScaler().fit(X_train)
            return tuple(torch.tensor(scaler.transform(X), dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """, TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("no_std_division", cell(_standardize("""
        means, stds = X_train.mean(dim=0), 1.0
        """), TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("row_statistics", cell(_standardize("""
        means = X_train.mean()
        stds = X_train.std()
        """), TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("statistics_kept_from_first_call", cell("""
        _stats = []
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            if not _stats:
                _stats.append((X_train.mean(dim=0), X_train.std(dim=0)))
            means, stds = _stats[0]
            return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
        """, TO_COLUMN), {"check_standardize_uses_train_statistics"}),
    ("float64_outputs", cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return (X_train - means) / stds, (X_valid - means) / stds, (X_test - means) / stds
        """, TO_COLUMN), {"check_standardize_dtype_and_shape"}),
    ("numpy_outputs", cell("""
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
            return tuple(((X - means) / stds).astype(np.float32) for X in (X_train, X_valid, X_test))
        """, TO_COLUMN),
     {"check_standardize_dtype_and_shape", "check_standardize_uses_train_statistics",
      "check_standardize_leaves_inputs_unchanged"}),
    ("returns_two_splits", cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return (X_train - means) / stds, (X_test - means) / stds
        """, TO_COLUMN),
     {"check_standardize_dtype_and_shape", "check_standardize_uses_train_statistics",
      "check_standardize_leaves_inputs_unchanged"}),
    ("modifies_inputs", cell("""
        def standardize(X_train, X_valid, X_test):
            means, stds = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
            for X in (X_train, X_valid, X_test):
                X -= means
                X /= stds
            return tuple(torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        """, TO_COLUMN), {"check_standardize_leaves_inputs_unchanged"}),
    ("to_column_flat", cell(STANDARDIZE, """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32)
        """), {"check_to_column"}),
    ("to_column_float64", cell(STANDARDIZE, """
        def to_column(y):
            return torch.tensor(y).reshape(-1, 1)
        """), {"check_to_column"}),
    ("to_column_row", cell(STANDARDIZE, """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).reshape(1, -1)
        """), {"check_to_column"}),
    ("to_column_modifies_y", cell(STANDARDIZE, """
        def to_column(y):
            y.shape = (-1, 1)
            return torch.tensor(y, dtype=torch.float32)
        """), {"check_to_column"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def standardize(X_train, X_valid, X_test):
            return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()
        def to_column(y):
            return AlwaysEqual()
        """), ALL),
    ("tensor_subclass", cell(SUBCLASS, """
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(dim=0), X_train.std(dim=0)
            return tuple(((X - means) / stds).as_subclass(MyTensor) for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).reshape(-1, 1).as_subclass(MyTensor)
        """), ALL),
    ("stub_not_implemented", cell("""
        def standardize(X_train, X_valid, X_test):
            raise NotImplementedError()
        def to_column(y):
            raise NotImplementedError()
        """), ALL),
]

PREPARE_DATA_CORRECT = [
    ("solution", cell(STANDARDIZE, TO_COLUMN)),
    ("tensor_with_dtype", cell(_standardize("""
        means, stds = X_train.mean(dim=0), X_train.std(dim=0)
        """), """
        def to_column(y):
            return torch.tensor(y, dtype=torch.float32).unsqueeze(1)
        """)),
    ("numpy_keepdims", cell("""
        def standardize(X_train, X_valid, X_test):
            means = X_train.mean(axis=0, keepdims=True)
            stds = X_train.std(axis=0, ddof=1, keepdims=True)
            return tuple(torch.tensor((X - means) / stds, dtype=torch.float32) for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.as_tensor(y, dtype=torch.float32).view(-1, 1)
        """)),
    ("torch_keepdims", cell(_standardize("""
        means = X_train.mean(dim=0, keepdims=True)
        stds = X_train.std(dim=0, keepdims=True)
        """), """
        def to_column(y):
            return torch.FloatTensor(y).reshape(-1, 1)
        """)),
    ("std_mean_as_tensor", cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.as_tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
            stds, means = torch.std_mean(X_train, dim=0)
            return [(X - means) / stds for X in (X_train, X_valid, X_test)]
        def to_column(y):
            return torch.from_numpy(y).float()[:, None]
        """)),
    ("float64_statistics", cell("""
        def standardize(X_train, X_valid, X_test):
            X_train, X_valid, X_test = (torch.tensor(X) for X in (X_train, X_valid, X_test))
            means, stds = X_train.mean(0), X_train.std(0)
            return tuple(((X - means) / stds).float() for X in (X_train, X_valid, X_test))
        def to_column(y):
            return torch.tensor(y.reshape(-1, 1), dtype=torch.float32)
        """)),
]

# --------------------------------------------------------------------------- 6
# The housing losses a student could copy from the visible cell's output (lr 0.4, 20 epochs).
HOUSING_BGD_LOSSES = [16.158457, 4.879375, 2.255225, 1.330763, 0.968069, 0.814268, 0.741705, 0.70207, 0.676592,
                      0.657796, 0.642615, 0.629722, 0.618494, 0.608597, 0.599822, 0.592019, 0.585069, 0.578873,
                      0.573345, 0.56841]
HOUSING_FIT_LOSSES = [4.33785, 0.780294, 0.625384, 0.606043, 0.59563, 0.587357, 0.580299, 0.574138, 0.56871,
                      0.563908, 0.559651, 0.555874, 0.552519, 0.549539, 0.54689, 0.544534, 0.542438, 0.540572,
                      0.53891, 0.537429]


def _bgd(epoch, init=None, ret="w, b, losses", pre="", params="X, y, lr, n_epochs, seed=42"):
    """train_linear_bgd() with the given epoch body (the chapter's by default elsewhere)."""
    init = init or """
        torch.manual_seed(seed)
        n_features = X.shape[1]
        w = torch.randn((n_features, 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """
    indent = lambda code, n: "".join(" " * n + line + "\n" for line in dedent(code).strip().splitlines())  # noqa: E731
    return (dedent(pre).strip("\n") + "\n" if pre else "") + (
        f"def train_linear_bgd({params}):\n" + indent(init, 4)
        + "    for epoch in range(n_epochs):\n" + indent(epoch, 8) + f"    return {ret}\n")


EPOCH = """
y_pred = X @ w + b
loss = ((y_pred - y) ** 2).mean()
loss.backward()
with torch.no_grad():
    b -= lr * b.grad
    w -= lr * w.grad
    b.grad.zero_()
    w.grad.zero_()
losses.append(loss.item())
"""
BGD = _bgd(EPOCH)

ALL_BGD = {"check_bgd_parameters_are_leaves", "check_bgd_gradients_reset", "check_bgd_losses_are_python_floats",
           "check_bgd_housing_trajectory", "check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"}

BGD_LOOP_WRONG = [
    ("missing_zero_grad", _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
        losses.append(loss.item())
        """), {"check_bgd_gradients_reset", "check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"}),
    ("zero_grad_only_w", _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            w.grad.zero_()
        losses.append(loss.item())
        """), {"check_bgd_gradients_reset", "check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"}),
    ("zeroes_before_backward", _bgd("""
        if w.grad is not None:
            w.grad.zero_()
            b.grad.zero_()
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
        losses.append(loss.item())
        """), {"check_bgd_gradients_reset"}),
    ("update_outside_no_grad", _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        b -= lr * b.grad
        w -= lr * w.grad
        b.grad.zero_()
        w.grad.zero_()
        losses.append(loss.item())
        """), ALL),
    ("rebinds_parameters", _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
        losses.append(loss.item())
        """), ALL),
    ("rebinds_parameters_in_no_grad", _bgd("""
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        losses.append(loss.item())
        """), ALL),
    ("losses_as_tensors", _bgd(EPOCH.replace("losses.append(loss.item())", "losses.append(loss)")),
     {"check_bgd_losses_are_python_floats"}),
    ("losses_as_detached_tensors", _bgd(EPOCH.replace("losses.append(loss.item())", "losses.append(loss.detach())")),
     {"check_bgd_losses_are_python_floats"}),
    ("losses_as_numpy_floats", _bgd(EPOCH.replace("losses.append(loss.item())",
                                                 "losses.append(loss.detach().numpy()[()])")),
     {"check_bgd_losses_are_python_floats"}),
    ("ignores_lr", _bgd(EPOCH.replace("lr *", "0.4 *")), {"check_bgd_hidden_trajectory"}),
    ("ignores_seed", _bgd(EPOCH, init="""
        torch.manual_seed(42)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """), {"check_bgd_hidden_trajectory"}),
    ("seed_after_init", _bgd(EPOCH, init="""
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        torch.manual_seed(seed)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """), {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"}),
    ("ignores_n_epochs", _bgd(EPOCH, init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        n_epochs = 20
        """), {"check_bgd_hidden_trajectory", "check_bgd_losses_are_python_floats"}),
    ("hardcoded_housing_losses", f"""
def train_linear_bgd(X, y, lr, n_epochs, seed=42):
    torch.manual_seed(seed)
    w = torch.randn((X.shape[1], 1), requires_grad=True)
    b = torch.tensor(0., requires_grad=True)
    return w, b, {HOUSING_BGD_LOSSES!r}
""", {"check_bgd_results_depend_on_inputs", "check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"}),
    ("loss_recorded_after_update", _bgd("""
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            b.grad.zero_()
            w.grad.zero_()
            losses.append(((X @ w + b - y) ** 2).mean().item())
        """), {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory"}),
    ("sum_instead_of_mean", _bgd(EPOCH.replace(".mean()", ".sum()")),
     {"check_bgd_housing_trajectory", "check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"}),
    # The losses are right, the returned parameters are not the trained ones. (Skipping only the
    # last update is not always visible: once converged, it moves w and b by less than rtol 1e-3.)
    ("returns_initial_parameters", _bgd(EPOCH, init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        w0, b0 = w.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
        losses = []
        """, ret="w0, b0, losses"), {"check_bgd_hidden_trajectory", "check_bgd_housing_reaches_target_mse"}),
    ("returns_detached", _bgd(EPOCH, ret="w.detach(), b.detach(), losses"), {"check_bgd_parameters_are_leaves"}),
    ("bias_of_shape_1", _bgd(EPOCH, init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        losses = []
        """), {"check_bgd_parameters_are_leaves"}),
    ("weights_as_row", _bgd(EPOCH.replace("X @ w", "X @ w.T"), init="""
        torch.manual_seed(seed)
        w = torch.randn((1, X.shape[1]), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        losses = []
        """), {"check_bgd_parameters_are_leaves"}),
    ("global_losses_list", _bgd(EPOCH, pre="losses = []", init="""
        torch.manual_seed(seed)
        w = torch.randn((X.shape[1], 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        """), {"check_bgd_hidden_trajectory", "check_bgd_losses_are_python_floats"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def train_linear_bgd(X, y, lr, n_epochs, seed=42):
            return AlwaysEqual(), AlwaysEqual(), [AlwaysEqual()] * n_epochs
        """), ALL),
    ("tensor_subclass", _bgd(EPOCH, pre=SUBCLASS, ret="w.as_subclass(MyTensor), b.as_subclass(MyTensor), losses"),
     ALL),
    ("stub_not_implemented", cell("""
        def train_linear_bgd(X, y, lr, n_epochs, seed=42):
            raise NotImplementedError()
        """), ALL),
]

BGD_LOOP_CORRECT = [
    ("solution", BGD),
    ("torch_mean_and_grad_none", _bgd("""
        y_pred = X @ w + b
        loss = torch.mean((y_pred - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        losses.append(loss.item())
        """)),
    ("F_mse_loss_and_float", _bgd("""
        loss = F.mse_loss(X @ w + b, y)
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
            w.grad.zero_()
            b.grad.zero_()
        losses.append(float(loss))
        """, pre="import torch.nn.functional as F")),
    ("nn_functional_mse_loss_and_matmul", _bgd("""
        loss = torch.nn.functional.mse_loss(torch.matmul(X, w) + b, y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * p.grad
                p.grad.zero_()
        """, init="""
        torch.manual_seed(seed)
        w = torch.randn(X.shape[1], 1, requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        losses = []
        """)),
    ("mse_loss_module", _bgd("""
        loss = criterion(X.mm(w) + b, y)
        loss.backward()
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad
            b.grad.zero_()
            w.grad.zero_()
        losses.append(loss.item())
        """, init="""
        torch.manual_seed(seed)
        n_samples, n_features = X.shape
        w = torch.randn((n_features, 1), requires_grad=True)
        b = torch.tensor(0., requires_grad=True)
        criterion = nn.MSELoss()
        losses = []
        """)),
    # Rebinding is fine when the new tensors become leaves that require grad again.
    ("rebind_in_no_grad_then_requires_grad", _bgd("""
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        w.requires_grad_()
        b.requires_grad_()
        losses.append(loss.item())
        """)),
]

# --------------------------------------------------------------------------- 7
TRAIN_BGD = """
def train_bgd(model, optimizer, criterion, X, y, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        y_pred = model(X)
        loss = criterion(y_pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses
"""
FIT_LINEAR = """
def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.MSELoss()
    losses = train_bgd(model, optimizer, criterion, X, y, n_epochs)
    return model, losses
"""
PREDICT = """
def predict(model, X):
    with torch.no_grad():
        return model(X)
"""

FIT_CHECKS = {"check_fit_linear_returns_linear_8_1", "check_fit_linear_housing_trajectory",
              "check_fit_linear_reaches_target_test_mse", "check_fit_linear_uses_its_arguments"}


def _fit(body):
    """fit_linear() with the given body (after the signature)."""
    return "def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):\n" + "".join(
        "    " + line + "\n" for line in dedent(body).strip().splitlines())


TRAIN_NN_LINEAR_WRONG = [
    ("train_bgd_missing_zero_grad", cell(TRAIN_BGD.replace("        optimizer.zero_grad()\n", ""), FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_housing_trajectory",
      "check_fit_linear_uses_its_arguments"}),
    ("train_bgd_missing_step", cell(TRAIN_BGD.replace("        optimizer.step()\n", ""), FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_housing_trajectory",
      "check_fit_linear_reaches_target_test_mse", "check_fit_linear_uses_its_arguments"}),
    ("train_bgd_hardcoded_lr", cell(TRAIN_BGD.replace(
        "    losses = []\n", "    losses = []\n    optimizer = torch.optim.SGD(model.parameters(), lr=0.4)\n"),
        FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_uses_its_arguments"}),
    ("train_bgd_losses_as_tensors", cell(TRAIN_BGD.replace("loss.item()", "loss"), FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_housing_trajectory"}),
    ("train_bgd_global_losses_list", cell("losses = []", TRAIN_BGD.replace("    losses = []\n", ""),
                                          FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_uses_its_arguments"}),
    ("train_bgd_step_before_backward", cell("""
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                optimizer.zero_grad()
                optimizer.step()
                loss = criterion(model(X), y)
                loss.backward()
                losses.append(loss.item())
            return losses
        """, FIT_LINEAR, PREDICT),
     {"check_train_bgd_follows_reference", "check_fit_linear_housing_trajectory",
      "check_fit_linear_uses_its_arguments"}),
    ("fit_linear_ignores_lr", cell(TRAIN_BGD, FIT_LINEAR.replace("lr=lr", "lr=0.4"), PREDICT),
     {"check_fit_linear_uses_its_arguments"}),
    ("fit_linear_ignores_seed", cell(TRAIN_BGD, FIT_LINEAR.replace("manual_seed(seed)", "manual_seed(42)"), PREDICT),
     {"check_fit_linear_uses_its_arguments"}),
    ("fit_linear_ignores_n_epochs", cell(TRAIN_BGD, FIT_LINEAR.replace("X, y, n_epochs)", "X, y, 20)"), PREDICT),
     {"check_fit_linear_uses_its_arguments"}),
    ("fit_linear_hardcoded_8_features", cell(TRAIN_BGD, FIT_LINEAR.replace("X.shape[1]", "8"), PREDICT),
     {"check_fit_linear_uses_its_arguments"}),
    ("fit_linear_seed_after_model", cell(TRAIN_BGD, _fit("""
        model = nn.Linear(X.shape[1], 1)
        torch.manual_seed(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        return model, train_bgd(model, optimizer, nn.MSELoss(), X, y, n_epochs)
        """), PREDICT), {"check_fit_linear_housing_trajectory", "check_fit_linear_uses_its_arguments"}),
    ("fit_linear_adam", cell(TRAIN_BGD, FIT_LINEAR.replace("torch.optim.SGD", "torch.optim.Adam"), PREDICT),
     {"check_fit_linear_housing_trajectory", "check_fit_linear_uses_its_arguments"}),
    ("fit_linear_hardcoded_housing_losses", cell(TRAIN_BGD, _fit(f"""
        torch.manual_seed(seed)
        return nn.Linear(X.shape[1], 1), {HOUSING_FIT_LOSSES!r}
        """), PREDICT), {"check_fit_linear_results_depend_on_inputs", "check_fit_linear_reaches_target_test_mse",
                         "check_fit_linear_uses_its_arguments"}),
    ("fit_linear_without_bias", cell(TRAIN_BGD, FIT_LINEAR.replace("X.shape[1], 1)", "X.shape[1], 1, bias=False)"),
                                     PREDICT), FIT_CHECKS),
    ("fit_linear_sequential", cell(TRAIN_BGD, FIT_LINEAR.replace(
        "nn.Linear(X.shape[1], 1)", "nn.Sequential(nn.Linear(X.shape[1], 1))"), PREDICT), FIT_CHECKS),
    ("fit_linear_linear_subclass", cell("""
        class MyLinear(nn.Linear):
            pass
        """, TRAIN_BGD, FIT_LINEAR.replace("nn.Linear(", "MyLinear("), PREDICT), FIT_CHECKS),
    ("predict_without_no_grad", cell(TRAIN_BGD, FIT_LINEAR, """
        def predict(model, X):
            return model(X)
        """), {"check_predict_without_graph"}),
    ("predict_freezes_parameters", cell(TRAIN_BGD, FIT_LINEAR, """
        def predict(model, X):
            for p in model.parameters():
                p.requires_grad_(False)
            return model(X)
        """), {"check_predict_without_graph"}),
    ("predict_resets_model", cell(TRAIN_BGD, FIT_LINEAR, """
        def predict(model, X):
            with torch.no_grad():
                y_pred = model(X)
                model.weight.zero_()
            return y_pred
        """), {"check_predict_without_graph"}),
    ("predict_squeezes", cell(TRAIN_BGD, FIT_LINEAR, """
        def predict(model, X):
            with torch.no_grad():
                return model(X).squeeze(1)
        """), {"check_predict_without_graph"}),
    ("predict_returns_numpy", cell(TRAIN_BGD, FIT_LINEAR, """
        def predict(model, X):
            with torch.no_grad():
                return model(X).numpy()
        """), {"check_predict_without_graph"}),
    ("predict_tensor_subclass", cell(TRAIN_BGD, FIT_LINEAR, SUBCLASS, """
        def predict(model, X):
            with torch.no_grad():
                return model(X).as_subclass(MyTensor)
        """), {"check_predict_without_graph"}),
    ("always_equal_objects", cell(ALWAYS_EQUAL, """
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            return [AlwaysEqual()] * n_epochs
        def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
            return AlwaysEqual(), [AlwaysEqual()] * n_epochs
        def predict(model, X):
            return AlwaysEqual()
        """), ALL),
    ("stub_not_implemented", cell("""
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            raise NotImplementedError()
        def fit_linear(X, y, lr=0.4, n_epochs=20, seed=42):
            raise NotImplementedError()
        def predict(model, X):
            raise NotImplementedError()
        """), ALL),
]

TRAIN_NN_LINEAR_CORRECT = [
    ("solution", cell(TRAIN_BGD, FIT_LINEAR, PREDICT)),
    ("set_to_none_functional_inference_mode", cell("""
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                loss = criterion(model(X), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(float(loss))
            return losses
        """, _fit("""
        torch.manual_seed(seed)
        model = nn.Linear(X.shape[1], 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        return model, train_bgd(model, optimizer, torch.nn.functional.mse_loss, X, y, n_epochs)
        """), """
        def predict(model, X):
            with torch.inference_mode():
                return model(X)
        """)),
    ("F_mse_zero_grad_first_decorator", cell("""
        import torch.nn.functional as F
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            losses = []
            for epoch in range(n_epochs):
                optimizer.zero_grad()
                loss = criterion(model(X), y)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses
        """, _fit("""
        torch.manual_seed(seed)
        model = nn.Linear(in_features=X.shape[1], out_features=1)
        optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
        losses = train_bgd(model, optimizer, F.mse_loss, X, y, n_epochs)
        return model, losses
        """), """
        @torch.no_grad()
        def predict(model, X):
            return model(X)
        """)),
    ("eval_and_set_grad_enabled", cell(TRAIN_BGD, _fit("""
        torch.manual_seed(seed)
        n_features = X.shape[1]
        model = nn.Linear(n_features, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = train_bgd(model=model, optimizer=optimizer, criterion=nn.MSELoss(), X=X, y=y, n_epochs=n_epochs)
        return (model, losses)
        """), """
        def predict(model, X):
            model.eval()
            with torch.set_grad_enabled(False):
                y_pred = model(X)
            return y_pred
        """)),
    ("detach_after_no_grad_model_zero_grad", cell("""
        def train_bgd(model, optimizer, criterion, X, y, n_epochs):
            history = []
            for _ in range(n_epochs):
                y_pred = model(X)
                loss = criterion(y_pred, y)
                loss.backward()
                optimizer.step()
                model.zero_grad()
                history.append(loss.item())
            return history
        """, FIT_LINEAR, """
        def predict(model, X):
            with torch.no_grad():
                y_pred = model(X)
            return y_pred.detach()
        """)),
]

WRONG = {
    "create_tensors": CREATE_TENSORS_WRONG,
    "move_to_device": MOVE_TO_DEVICE_WRONG,
    "autograd_descent": AUTOGRAD_DESCENT_WRONG,
    "fix_inplace": FIX_INPLACE_WRONG,
    "prepare_data": PREPARE_DATA_WRONG,
    "bgd_loop": BGD_LOOP_WRONG,
    "train_nn_linear": TRAIN_NN_LINEAR_WRONG,
}

CORRECT = {
    "create_tensors": CREATE_TENSORS_CORRECT,
    "move_to_device": MOVE_TO_DEVICE_CORRECT,
    "autograd_descent": AUTOGRAD_DESCENT_CORRECT,
    "fix_inplace": FIX_INPLACE_CORRECT,
    "prepare_data": PREPARE_DATA_CORRECT,
    "bgd_loop": BGD_LOOP_CORRECT,
    "train_nn_linear": TRAIN_NN_LINEAR_CORRECT,
}
