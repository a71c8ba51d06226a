"""Every sentence a student reads in feedback, in the course's pt-BR: one place, one vocabulary.

The course's glossary (the notebooks use the same words): tensor, forma
(shape), dtype, dispositivo (device), perda (loss), época (epoch), gradiente,
taxa de aprendizado (learning rate), grafo (the autograd graph), folha (leaf).
Numbers in prose use the decimal comma (`decimal`); shapes are written as
Python writes them (`shape_str`). Judges build their messages from these
functions, so the same mistake reads the same way in every exercise.
"""

KIND_NAMES = {
    "tensor": "um torch.Tensor",
    "float": "um float",
    "int": "um int",
    "bool": "um bool",
    "str": "uma str",
    "none": "None",
    "list": "uma list",
    "tuple": "uma tuple",
    "ndarray": "um numpy.ndarray",
    "module": "um nn.Module",
    "other": "um objeto de outro tipo",
}

NO_VALUES = "nenhum valor calculado confere com o esperado: formas e tipos certos, sozinhos, não valem pontos"
MALFORMED = "o processo de avaliação devolveu dados inválidos; nenhum ponto neste exercício"
NOT_REACHED = "a verificação não chegou a esta chamada"
HARD_CODED = "resultados fixos no código não valem pontos"


def shape_str(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def decimal(value, digits=4):
    """A number as pt-BR prose writes it: decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


# --------------------------------------------------------------------------- what came back


def describe(d):
    """How to name what the student returned, from a parsed-safe subset of its description."""
    kind = d.get("kind") if type(d) is dict else None
    if kind == "tensor" and d.get("exact_type") is False and d.get("is_parameter") is True:
        return "um nn.Parameter"
    if kind == "tensor" and d.get("exact_type") is False and d.get("is_parameter") is False:
        return "uma subclasse de torch.Tensor"
    return KIND_NAMES.get(kind, "um objeto de outro tipo")


def not_evaluated(label, reason=None):
    return f"{label} não foi avaliada: {reason or NOT_REACHED}"


def undefined(name):
    return f"a função {name} não está definida"


def raised(label, exception):
    return f"{label} levantou {exception}"


def returned_instead(label, found, expected, verb="devolveu"):
    """`{label} devolveu um float; esperado torch.Tensor`."""
    return f"{label} {verb} {found}; esperado {expected}"


def not_python_float(label, found):
    if found == "tensor":
        return f"{label} devolveu um torch.Tensor; esperado um float do Python (use .item())"
    return f"{label} devolveu {found}; esperado um float do Python"


# --------------------------------------------------------------------------- properties of a tensor


def wrong_dtype(label, found, expected, verb="devolveu"):
    return f"{label} {verb} dtype {found}; esperado {expected}"


def wrong_shape(label, found, expected, verb="devolveu"):
    """``expected``: a shape, or words ("a mesma forma de a")."""
    expected = shape_str(expected) if isinstance(expected, tuple) else expected
    return f"{label} {verb} forma {shape_str(found)}; esperado {expected}"


def wrong_device(label, found, expected):
    return f"{label} devolveu um tensor no dispositivo {found}; esperado {expected}"


def wrong_values(label, what):
    """`{label} devolveu valores diferentes de M @ M.T`."""
    return f"{label} devolveu valores diferentes {what}"


def flag_false(label, what, expected=True):
    return f"{label} devolveu {what} com requires_grad={not expected}; esperado {expected}"


def modified_input(label, what):
    return f"{label} modificou {what}"


def attached_to_graph(label):
    return f"{label} devolveu um tensor ligado ao grafo; calcule dentro de torch.no_grad()"


# --------------------------------------------------------------------------- training


def not_a_loss_list(label):
    return f"{label} não devolveu uma list de losses"


def loss_not_a_number(label):
    return f"{label}: cada loss deve ser um número"


def wrong_loss_count(label, found, expected):
    return f"{label} devolveu {found} losses; esperado {expected} (uma por época)"


def trajectory_first_differs(label):
    return (
        f"{label}: a primeira loss já difere: confira a inicialização (torch.manual_seed(seed) antes de criar "
        "os parâmetros) e a loss MSE"
    )


def trajectory_flat(label):
    return f"{label}: a loss não muda de uma época para outra: os parâmetros não estão sendo atualizados"


def trajectory_diverges(label, epoch):
    return (
        f"{label}: a trajetória diverge a partir da época {epoch}: confira a atualização com lr, "
        "o torch.no_grad() e o zerar dos gradientes a cada época"
    )


def trajectory_at(label, epoch, found, expected):
    return f"{label}: na época {epoch} a loss foi {found:.6f}; esperado {expected:.6f}"


def above_target(label, metric, found, target, where="depois do treino"):
    return f"{label}: {metric} {found:.4f} {where}; meta ≤ {target:.2f}"


# --------------------------------------------------------------------------- why a probe stopped


def interrupted(kind, seconds=None):
    """Why an exercise's probe did not finish."""
    return {
        "notebook_time": f"o tempo total de avaliação do notebook ({seconds:.0f} s) acabou antes deste exercício "
        "terminar"
        if seconds is not None
        else "",
        "malformed": "o processo de avaliação enviou dados inválidos; nenhum ponto neste exercício",
        "own_cell_hung": f"a célula do exercício não terminou em {seconds:.0f} s" if seconds is not None else "",
        "own_cell_killed": "a célula do exercício encerrou o processo (por exemplo, com os._exit ou um sinal)",
        "cells_hung": f"as células do notebook não terminaram em {seconds:.0f} s" if seconds is not None else "",
        "ended_early": "o processo de avaliação terminou antes das verificações",
        "probe_hung": (f"as verificações não terminaram em {seconds:.0f} s: alguma função demora demais ou não termina")
        if seconds is not None
        else "",
        "probe_killed": "o processo foi encerrado durante as verificações (por exemplo, com os._exit ou sys.exit)",
    }[kind]


def own_cell_raised(exception):
    return f"a célula do exercício levantou {exception} ao ser executada"
