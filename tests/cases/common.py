"""What every exercise's cases share: how a solution cell is written, and objects that pretend."""

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
