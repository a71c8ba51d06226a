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


# --- custom_models: modules of one's own, classification, saving and exporting, Optuna


def undefined_class(name):
    return f"a classe {name} não está definida"


def layers_differ(label, where, found, expected):
    """`{label}: self.mlp tem as camadas [...]; esperado [...]` (types, as torch.nn names them)."""
    return f"{label}: {where} tem as camadas [{', '.join(found)}]; esperado [{', '.join(expected)}]"


def missing_submodule(label, name):
    return f"{label} não tem o submódulo self.{name} (um nn.Module atribuído no __init__)"


def unregistered_parameters(label, found):
    return (
        f"{label} registra {found} parâmetros, não os de todas as camadas do enunciado: camadas guardadas em uma "
        "lista comum do Python (ou criadas no forward) não são registradas; use atributos, nn.Sequential ou "
        "nn.ModuleList"
    )


def extra_parameters(label, found):
    return f"{label} registra {found} parâmetros, mais do que as camadas do enunciado: confira as camadas e os tamanhos"


def parameter_shapes_differ(label):
    return f"{label}: as formas dos parâmetros não são as das camadas do enunciado, na ordem do enunciado"


def outputs_differ_after_seed(label, what):
    """``what``: "os logits", "as saídas"."""
    of = "dos" if what.startswith("os ") else "das"
    return (
        f"{label}: {what} diferem {of} da referência depois de torch.manual_seed: crie as camadas na ordem do "
        "enunciado, sem camadas a mais e sem fixar semente dentro da classe, e confira o forward"
    )


def softmax_in_forward(label):
    return (
        f"{label}: as linhas da saída somam 1, como probabilidades: forward deve devolver os logits, sem softmax "
        "(a nn.CrossEntropyLoss aplica o softmax ela mesma)"
    )


def wrong_fraction(label):
    return f"{label} devolveu um valor diferente da fração das linhas cujo arg-max (dim=1) é igual ao rótulo"


def not_a_fraction(label):
    return f"{label} devolveu um número fora de [0, 1]; esperado a fração de acertos, não a contagem"


def rows_do_not_sum_to_one(label):
    return f"{label}: as linhas não somam 1; esperado o softmax dos logits sobre as classes (dim=1)"


def left_in_training_mode(label):
    return (
        f"{label} deixou o modelo (ou uma de suas camadas) em modo de treino; chame model.eval(), e o modelo fica "
        "em modo de avaliação"
    )


def changed_model(label, what="os parâmetros do modelo"):
    return f"{label} alterou {what}; o modelo recebido deve ficar como estava"


def not_a_pair(label, what):
    """``what``: "(model, losses)", "(main_output, aux_output)"."""
    return f"{label} não devolveu a tupla {what}"


def losses_differ_from_start(label):
    return (
        f"{label}: a primeira perda já difere da referência: confira torch.manual_seed(seed) antes de criar o "
        "modelo, o carregador (batch_size, shuffle e o gerador com a semente) e a função de perda"
    )


def losses_diverge(label, epoch):
    return (
        f"{label}: as perdas diferem da referência a partir da época {epoch}: confira a taxa de aprendizado, o "
        "otimizador, o número de épocas e o ciclo de treino (forward, perda, backward, step, zero_grad)"
    )


def loss_at_epoch(label, epoch, found, expected):
    return f"{label}: na época {epoch}, a perda foi {decimal(found, 6)}; esperado {decimal(expected, 6)}"


def model_not_comparable(label, architecture):
    return f"{label}: o modelo devolvido não tem os parâmetros de {architecture}; não dá para medir a meta"


def below_target(label, metric, found, target):
    return f"{label}: {metric} de {decimal(found, 3)}; meta ≥ {decimal(target, 2)}"


def above_target_of(label, metric, found, target):
    return f"{label}: {metric} de {decimal(found, 3)}; meta ≤ {decimal(target, 2)}"


def main_output_ignores_wide(label):
    return (
        f"{label}: a saída principal não muda quando X_wide muda; ela deve vir de "
        "self.output_layer(torch.concat([X_wide, deep_output], dim=1))"
    )


def aux_output_uses_wide(label):
    return f"{label}: a saída auxiliar muda quando X_wide muda; ela deve depender só de X_deep (do deep_output)"


def output_ignores_deep(label, which):
    return f"{label}: a saída {which} não muda quando X_deep muda; ela deve passar pelo self.deep_stack"


def no_gradient(label, name):
    return (
        f"{label}: depois de backward(), {name}.grad é None: o gradiente não chega a esse parâmetro (a camada não "
        "participa do forward, ou o caminho foi desligado do grafo)"
    )


def gradients_differ(label):
    return f"{label}: depois de backward(), os gradientes dos parâmetros diferem dos da referência"


def wrong_weighted_loss(label):
    return (
        f"{label} devolveu um valor diferente de main_weight * criterion(y_pred, y_true) + (1 - main_weight) * "
        "criterion(y_pred_aux, y_true); use o criterion e o main_weight recebidos"
    )


def loss_not_in_graph(label):
    return f"{label}: a perda não está ligada ao grafo (grad_fn None), então backward() não funcionaria"


CHECKPOINT_KEYS = '"model_state_dict" e "model_hyperparameters"'


def not_written(label):
    return f"{label} não gravou nenhum arquivo em path"


def checkpoint_refused(label, exception):
    if exception == "FileNotFoundError":
        return not_written(label)
    return (
        f"o arquivo gravado por {label} não abre com torch.load(path, weights_only=True), que recusa objetos de "
        f"classes quaisquer: grave só o dicionário com {CHECKPOINT_KEYS}, não o modelo inteiro"
    )


def checkpoint_not_a_dict(label, found):
    return f"o arquivo gravado por {label} contém {found}; esperado um dict com {CHECKPOINT_KEYS}"


def checkpoint_keys(label, found):
    keys = ", ".join(f'"{k}"' for k in found) or "nenhuma chave de texto"
    return f"o arquivo gravado por {label} tem as chaves {keys}; esperado exatamente {CHECKPOINT_KEYS}"


def checkpoint_state_differs(label):
    return (
        f'o "model_state_dict" gravado por {label} não é o model.state_dict() do modelo recebido (nomes ou '
        "tensores diferentes)"
    )


def checkpoint_hyperparameters_differ(label):
    return f'o "model_hyperparameters" gravado por {label} difere do dicionário hyperparameters recebido'


def not_rebuilt_from_class(label, found):
    return f"{label} devolveu {found}; esperado o modelo recriado com model_class(**hiperparâmetros do arquivo)"


def loaded_weights_differ(label):
    return f"{label}: os pesos do modelo devolvido diferem dos do arquivo; copie-os com load_state_dict"


def loads_arbitrary_objects(label):
    return (
        f"{label} abriu um arquivo que contém um objeto de uma classe qualquer: carregue com "
        "torch.load(path, weights_only=True), que recusa esses arquivos (abri-los pode executar código)"
    )


def program_not_loadable(label, exception):
    if exception == "FileNotFoundError":
        return not_written(label)
    return (
        f"o arquivo gravado por {label} não abre com torch.export.load ({exception}): exporte com "
        "torch.export.export e grave com torch.export.save"
    )


def program_fails_on_other_batch(label, exception, n_example, n_other):
    return (
        f"o programa gravado por {label} levantou {exception} com um lote de {n_other} linhas (o exemplo tinha "
        f"{n_example}): marque a dimensão 0 (o lote) como dinâmica em dynamic_shapes"
    )


def program_outputs_differ(label, n_other):
    return f"o programa gravado por {label} deu, com um lote de {n_other} linhas, saídas diferentes das do modelo"


def suggestion_differs(label, name, expected):
    """``expected``: the call, as the notebook writes it."""
    return f"{label} não sugeriu {name} como {expected} (nome, faixa e escala)"


def suggested_other_names(label, found):
    names = ", ".join(f'"{n}"' for n in found) or "nenhum"
    return f'{label} sugeriu os parâmetros {names}; esperado exatamente "learning_rate" e "n_hidden"'


def best_accuracy_differs(label):
    return (
        f"{label} devolveu um valor diferente da melhor acurácia de validação da referência: a cada época, uma "
        "época de train e a acurácia sobre todos os exemplos (acertos / len(valid_loader.dataset)); devolva a "
        "maior entre as épocas"
    )


def reports_at_steps(label, found, expected):
    steps = ", ".join(map(str, found)) or "nenhum"
    return f"{label} chamou trial.report nos passos [{steps}]; esperado um por época, nos passos [{expected}]"


def reported_values_differ(label):
    return (
        f"{label}: os valores passados a trial.report diferem das acurácias de validação da referência, época a "
        "época (acertos / exemplos de validação)"
    )


def not_pruned(label, found):
    """``found``: what happened instead ("devolveu um valor", "levantou ValueError")."""
    return (
        f"{label}: a tentativa mandou podar, mas objective {found}; esperado raise optuna.TrialPruned() logo "
        "depois do trial.report da época em que a tentativa manda podar"
    )


def pruned_unasked(label):
    return f"{label} levantou optuna.TrialPruned sem que a tentativa mandasse podar"
