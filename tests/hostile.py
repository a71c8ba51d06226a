"""Submissions that fool stock nbgrader, as solution-cell code for tensors_autograd."""

# Correct answers that also write a torch warning to stderr: stock nbgrader zeroes such test cells.
WARNING_BUT_CORRECT = '''
import warnings

def make_matrix():
    warnings.warn("aviso do aluno: só um aviso", UserWarning)
    return torch.tensor([[1., 4., 7.], [2., 3., 6.]])

def to_float32(a):
    x = torch.tensor(1.0, requires_grad=True) * 2
    x.grad  # torch's own UserWarning: .grad of a non-leaf tensor
    return torch.from_numpy(np.array(a, dtype=np.float32))

def column_vector(y):
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1).clone()
'''

# An object whose == is always True, with the shape and dtype the visible asserts look at.
ALWAYS_EQUAL = '''
class _Anything:
    shape = (2, 3)
    dtype = torch.float32
    device = torch.device("cpu")
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __getattr__(self, name):
        return self
    def __call__(self, *args, **kwargs):
        return self
    def __bool__(self):
        return True

def make_matrix():
    return _Anything()

def to_float32(a):
    return _Anything()

def column_vector(y):
    return _Anything()
'''

# Every comparison function patched to say yes, and wrong answers.
PATCHED_ALLCLOSE = '''
import math
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
np.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True

def pick_device():
    return "gpu"

def gram_on(M, device):
    return M
'''

# An IPython input transformer that blanks every later cell (the test cells included, in stock nbgrader).
BLANK_LATER_CELLS = '''
get_ipython().input_transformers_post.append(lambda lines: [])

def square_and_grad(x0):
    raise NotImplementedError()

def descend(x0, lr, n_iter):
    raise NotImplementedError()
'''
