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


# --- mlp_regression


def _layers(names):
    return ", ".join(names) if names else "nenhum"


def _chain(shapes):
    return ", ".join("?" if s is None else f"Linear({s[1]}, {s[0]})" for s in shapes) or "nenhuma nn.Linear"


def not_sequential(label, found):
    what = "um nn.Module próprio" if found == "custom" else found
    return f"{label} devolveu {what}; esperado um nn.Sequential"


def activation_after_output(label):
    return f"{label} tem uma nn.ReLU depois da última nn.Linear; a camada de saída não tem ativação"


def wrong_layers(label, found, expected):
    return f"{label} tem os módulos ({_layers(found)}); esperado ({_layers(expected)})"


def wrong_feature_chain(label, found, expected):
    return f"{label} tem as camadas {_chain(found)}; esperado {_chain(expected)}"


def wrong_parameter_count(label, found, expected):
    return f"{label} tem {found} parâmetros; esperado {expected} (nn.Linear com viés em todas as camadas)"


def initial_parameters_differ(label):
    return (
        f"depois de torch.manual_seed, {label} criou parâmetros iniciais diferentes dos da referência: crie as "
        "camadas na ordem da rede, uma vez cada, e não fixe a semente dentro da função"
    )


def output_not_from_layers(label):
    return f"{label} devolveu valores que não são os das suas camadas nn.Linear e nn.ReLU aplicadas em ordem"


def batch_not_a_pair(label):
    return f"cada lote de {label} deve ser um par (X_batch, y_batch) de tensores"


def wrong_batch_shapes(label, x_shape, y_shape, n_features):
    return (
        f"{label} deu um lote com X_batch de forma {shape_str(x_shape)} e y_batch de forma {shape_str(y_shape)}; "
        f"esperado (n, {n_features}) e (n, 1)"
    )


def batch_rows_not_from_X(label):
    return f"os lotes de {label} trazem linhas que não estão em X: o carregador deve entregar os próprios exemplos"


def pairs_broken(label):
    return f"nos lotes de {label}, X[i] não vem acompanhado do seu y[i]: use TensorDataset(X, y)"


def wrong_batch_sizes(label, found, expected):
    sizes = ", ".join(str(n) for n in found)
    return (
        f"{label} deu lotes de tamanhos ({sizes}); esperado {len(expected)} lotes de até {max(expected)} exemplos, "
        "o último menor, com o resto (sem descartá-lo)"
    )


def shuffled_without_shuffle(label):
    return f"{label} mudou a ordem dos exemplos; sem shuffle, a ordem deve ser a original"


def not_a_permutation(label):
    return f"uma época de {label} não passa por todos os exemplos, cada um uma única vez"


def not_shuffled(label):
    return f"{label} não embaralhou os exemplos"


def same_order_every_epoch(label):
    return f"{label} repetiu a mesma ordem em duas épocas; com shuffle=True, cada época tem uma ordem nova"


def same_seed_other_order(label):
    return (
        f"dois carregadores {label} deram ordens diferentes; com a mesma semente, a ordem deve ser a mesma: "
        "generator=torch.Generator().manual_seed(seed)"
    )


def other_seed_same_order(label):
    return f"{label} deu a mesma ordem que outra semente: a semente não chega ao gerador do DataLoader"


def unseeded_order_fixed(label):
    return (
        f"{label}, sem seed, não seguiu o gerador global (a mesma ordem depois de torch.manual_seed com sementes "
        "diferentes, ou ordens diferentes com a mesma): sem seed, nenhum gerador próprio"
    )


def global_rng_touched(label):
    return (
        f"{label} mexeu no gerador global do PyTorch: passe generator=torch.Generator().manual_seed(seed) ao "
        "DataLoader e não chame torch.manual_seed"
    )


def missing_train_mode(label):
    return (
        f"{label}: as perdas diferem das da referência e conferem com um treino sem model.train(): chame "
        "model.train() no início, pois o modelo pode chegar em modo de avaliação"
    )


def wrong_epoch_loss(label, mistake):
    found = {
        "last_batch": "é a perda do último lote",
        "weighted_by_samples": "é a média das perdas pesada pelo tamanho dos lotes",
    }[mistake]
    return (
        f"{label}: a perda de cada época {found}; esperado a média simples das perdas dos lotes, "
        "total_loss / len(train_loader)"
    )


def first_epoch_loss_differs(label):
    return (
        f"{label}: a perda da primeira época já difere: em cada lote, loss = criterion(model(X_batch), y_batch), "
        "loss.backward(), optimizer.step() e optimizer.zero_grad(), com o otimizador e a função de perda recebidos; "
        "a perda da época é total_loss / len(train_loader)"
    )


def epoch_losses_diverge(label, epoch):
    return (
        f"{label}: as perdas divergem a partir da época {epoch}: em cada lote, loss.backward(), optimizer.step() e "
        "optimizer.zero_grad()"
    )


def final_parameters_differ(label):
    return (
        f"{label}: as perdas conferem, mas os parâmetros finais do modelo não: dê optimizer.step() depois de "
        "loss.backward() em todo lote, com o otimizador recebido"
    )


def evaluate_values_differ(label):
    return (
        f"{label} devolveu valores diferentes de aggregate_fn(torch.stack(metrics)), com metrics[i] = "
        "metric_fn(y_pred, y_batch) no lote i: use as funções recebidas, lote a lote, na ordem do carregador"
    )


def not_in_eval_mode(label):
    return (
        f"{label} devolveu um resultado diferente do que devolve com o mesmo modelo em modo de avaliação: chame "
        "model.eval() antes de avaliar (é assim que o nn.Dropout se desliga)"
    )


def model_changed(label):
    return f"{label} alterou os parâmetros do modelo; avaliar não treina: nada de backward() ou optimizer.step()"


def mean_of_batch_rmses(label):
    return (
        f"{label} devolveu a média dos RMSEs dos lotes, que não é o RMSE do conjunto: some os erros quadráticos de "
        "todos os exemplos, divida pelo número de exemplos e tire a raiz"
    )


def unweighted_batch_mean(label):
    return (
        f"{label} devolveu a raiz da média simples dos MSEs dos lotes: o último lote, menor, pesa tanto quanto um "
        "cheio; divida a soma dos erros quadráticos pelo número de exemplos (len(data_loader.dataset))"
    )


def not_dataset_rmse(label):
    return (
        f"{label} devolveu um valor diferente do RMSE sobre todos os exemplos: a raiz da soma dos erros quadráticos "
        "dividida pelo número de exemplos"
    )


def not_model_and_losses(label):
    return f"{label} não devolveu a tupla (model, losses)"


def not_the_chapter_mlp(label, n_features):
    return (
        f"o modelo de {label} não é o MLP do capítulo: esperado build_mlp({n_features}, [50, 40]), "
        f"com as camadas Linear({n_features}, 50), Linear(50, 40) e Linear(40, 1), todas com viés"
    )


def epoch_loss_at(label, epoch, found, expected):
    return f"{label}: na época {epoch} a perda foi {decimal(found, 6)}; esperado {decimal(expected, 6)}"


def fit_losses_differ(label, epoch):
    return (
        f"{label}: as perdas diferem das da referência a partir da época {epoch}: siga a ordem do enunciado "
        "(torch.manual_seed(seed), build_mlp, make_loader com batch_size=128, shuffle=True e seed=seed, SGD com "
        "taxa de aprendizado 0,1, nn.MSELoss(), train por 10 épocas) sem sortear mais nada"
    )


def test_rmse_not_computable(label):
    return (
        f"{label}: o RMSE de teste não pôde ser calculado a partir dos parâmetros do modelo (esperado o MLP de "
        "build_mlp, com nn.Linear e nn.ReLU)"
    )


def training_diverged(label):
    return (
        f"{label}: o treino divergiu (o modelo prevê valores que não são finitos): confira a taxa de aprendizado "
        "e o tamanho dos lotes do enunciado"
    )


def above_target_rmse(label, found, target):
    return f"{label}: RMSE no conjunto de teste {decimal(found)}; meta ≤ {decimal(target, 2)}"


def same_results_for_other_data(label):
    return f"{label} devolve as mesmas perdas para dados diferentes: {HARD_CODED}"
