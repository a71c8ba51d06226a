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


def wrong_number(label, what, feminine=False):
    """`square_and_grad(2.0) devolveu f(x0) errado`: a number that is wrong or not a number at all."""
    return f"{label} devolveu {what} (ou não {'numérica' if feminine else 'numérico'})"


def not_a_str(label, expected):
    return f'{label} devolveu um valor que não é str; esperado "{expected}"'


def wrong_choice(label, found, expected):
    """A str among a few (``found``: one of them, or None for any other text)."""
    shown = f'"{found}"' if type(found) is str else "outro texto"
    return f'{label} devolveu {shown}; esperado "{expected}"'


def availability(cuda, mps):
    """The simulated machine, as a label says it: `com CUDA disponível e MPS indisponível`."""
    say = lambda ok: "disponível" if ok else "indisponível"
    return f"com CUDA {say(cuda)} e MPS {say(mps)}"


def not_a_pair(label, found_kind, expected):
    found = found_kind if found_kind in ("tuple", "list") else "outro tipo"
    return f"{label} devolveu {found} que não é um par; esperado {expected}"


def part_of(label, name):
    """One part of a call's result, as labels name it: `train_linear_bgd(...): w`."""
    return f"{label}: {name}"


def not_the_tuple(label, expected):
    """`fit_linear(...) não devolveu a tupla (model, losses)`."""
    return f"{label} não devolveu a tupla {expected}"


def not_n_tensors(label, n, names):
    return f"{label} não devolveu {n} tensores {names}"


def item_not_tensor(label, name):
    return f"{label}: a saída de {name} não é um torch.Tensor"


def not_module_type(label, expected):
    """`{label}: model não é um nn.Linear` (a subclass, a container or anything else)."""
    return f"{label} não é um {expected}"


def without_bias(label):
    return f"{label}: o nn.Linear foi criado sem bias"


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


def detached_from_graph(label):
    return f"{label} devolveu um tensor sem grad_fn: o resultado foi desconectado do grafo"


def wrong_requires_grad(label, verb="devolveu"):
    """`{label}: w tem requires_grad=False; esperado True`."""
    return f"{label} {verb} requires_grad=False; esperado True"


def not_a_leaf(label, hint):
    """`{label}: w não é folha do grafo (atualize dentro de torch.no_grad(), sem reatribuir)`."""
    return f"{label} não é folha do grafo ({hint})"


def returned_not_a_leaf(label, name, hint):
    return f"{label} devolveu um {name} que não é folha do grafo ({hint})"


def grad_not_zero(label, name):
    return f"{label} devolveu {name} com .grad diferente de zero; zere o gradiente a cada passo"


def grad_not_reset_each_epoch(label, name):
    return f"{label}: {name}.grad não foi zerado ao final de cada época"


def wrong_final_value(label, name, formula):
    return f"{label} devolveu um {name} final diferente de {formula}"


def not_the_result(label, what):
    """Only a real answer earns the side checks: `gram_on(...) não devolveu M @ M.T`."""
    return f"{label} não devolveu {what}"


def shapes_differ_from_inputs(label):
    return f"{label}: as saídas não têm as formas das entradas"


def model_changed(label):
    return f"{label} alterou os parâmetros do modelo"


def missing_values(label, what):
    return f"{label}: {what} sem valores"


def parameters_missing(label):
    return f"{label}: parâmetros do modelo ausentes"


def backward_not_run(label):
    return f"{label}: não foi possível chamar backward()"


def backward_raised(label):
    return f"backward() em {label} levantou um erro; esperado que funcionasse"


def grad_is_none(label, expected):
    return f"depois de backward() em {label}, t.grad é None; esperado {expected}"


def wrong_grad(label, expected):
    return f"depois de backward() em {label}, t.grad é diferente de {expected}"


def given_code_edited(name, behaviour, where):
    """The locked, given code was redefined: `z_buggy foi alterada: ela deve continuar ...`."""
    return f"{name} foi alterada: ela deve continuar {behaviour}; corrija em {where}"


def own_statistics(label):
    return (
        f"{label}: cada conjunto foi padronizado com as próprias estatísticas; use a média e o desvio de X_train "
        "em todos"
    )


def biased_std(label):
    return f"{label}: o desvio padrão usado é o enviesado (unbiased=False); use o padrão do torch (não enviesado)"


def not_standardized(label):
    return f"{label}: os valores não correspondem a (X - média de X_train) / desvio de X_train, coluna a coluna"


def incorrect_values(label):
    return f"{label}: valores incorretos"


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
    where = f" {where}" if where else ""
    return f"{label}: {metric} {found:.4f}{where}; meta ≤ {target:.2f}"


def final_parameters_differ(label):
    return f"{label}: os losses conferem, mas w e b finais não (atualize depois de calcular a loss da época)"


def final_weights_differ(label):
    return f"{label}: os pesos finais do modelo diferem; dê optimizer.step() depois de backward() em toda época"


def same_results(name, what):
    """The gate on hard-coded output: the same results for different data."""
    return f"{name} devolve os mesmos {what} para dados diferentes: {HARD_CODED}"


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
