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
    "device": "um torch.device",
    "other": "um objeto de outro tipo",
}

NUMPY_SCALARS = ("float64", "float32", "float16", "int64", "int32", "int16")

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
    if kind == "module" and type(d.get("type")) is str:
        return module_name(d["type"])
    if kind == "numpy_scalar" and d.get("dtype") in NUMPY_SCALARS:
        return f"um numpy.{d['dtype']}"
    return KIND_NAMES.get(kind, "um objeto de outro tipo")


def module_name(type_name):
    """`um nn.Sequential`; a module class of the student's own (a subclass too) is "um nn.Module próprio"."""
    return f"um {type_name}" if type_name.startswith("nn.") else "um nn.Module próprio"


def not_evaluated(label, reason=None):
    return f"{label} não foi avaliada: {reason or NOT_REACHED}"


def undefined(name):
    return f"a função {name} não está definida"


def raised(label, exception, cause=None):
    """`descend(...) levantou RuntimeError; causa provável: ...` (``cause``: the exercise's likely one)."""
    return f"{label} levantou {exception}" + (f"; causa provável: {cause}" if cause else "")


def returned_instead(label, found, expected, verb="devolveu"):
    """`{label} devolveu um float; esperado torch.Tensor`."""
    return f"{label} {verb} {found}; esperado {expected}"


def not_python_float(label, found):
    if found == "tensor" or found.startswith("um numpy."):
        found = "um torch.Tensor" if found == "tensor" else found
        return f"{label} devolveu {found}; esperado um float do Python (use .item())"
    return f"{label} devolveu {found}; esperado um float do Python"


def not_a_number(label, found, what):
    """`square_and_grad(2.0) devolveu None como f(x0); esperado um número`."""
    return f"{label} devolveu {found} como {what}; esperado um número"


def wrong_number(label, what, expected):
    """`square_and_grad(2.0) devolveu f(x0) diferente de x0**2` (``expected``: a formula, never a value)."""
    return f"{label} devolveu {what} diferente de {expected}"


def wrong_choice(label, found, expected):
    """A str among a few (``found``: one of them, or None for any other text)."""
    shown = f'"{found}"' if type(found) is str else "outro texto"
    return f'{label} devolveu {shown}; esperado "{expected}"'


def availability(cuda, mps):
    """The simulated machine, as a label says it: `com CUDA disponível e MPS indisponível`."""
    say = lambda ok: "disponível" if ok else "indisponível"
    return f"com CUDA {say(cuda)} e MPS {say(mps)}"


def part_of(label, name):
    """One part of a call's result, as labels name it: `train_linear_bgd(...): w`."""
    return f"{label}: {name}"


def not_the_tuple(label, expected):
    """`fit_linear(...) não devolveu a tupla (model, losses)`."""
    return f"{label} não devolveu a tupla {expected}"


def not_n_tensors(label, n, names):
    return f"{label} não devolveu {n} tensores {names}"


def not_module_type(label, found, expected):
    """`{label}: model é um nn.Sequential; esperado exatamente nn.Linear` (a subclass fails too)."""
    return f"{label} é {found}; esperado exatamente {expected}"


def without_bias(label):
    return f"{label}: o nn.Linear foi criado sem bias (bias=False); esperado com bias, o padrão"


# --------------------------------------------------------------------------- properties of a tensor


def wrong_dtype(label, found, expected, verb="devolveu"):
    return f"{label} {verb} dtype {found}; esperado {expected}"


def wrong_shape(label, found, expected, verb="devolveu"):
    """``expected``: a shape, or words ("a mesma forma de a")."""
    expected = shape_str(expected) if isinstance(expected, tuple) else expected
    return f"{label} {verb} forma {shape_str(found)}; esperado {expected}"


def wrong_device(label, found, expected):
    return f"{label} devolveu um tensor no dispositivo {found}; esperado {expected}"


def devices_str(devices):
    return " e ".join(sorted(devices)) or "nenhum"


def result_moved_back(label, found, expected):
    """The product ran on the device, but the result was brought back (a `.cpu()` at the end)."""
    return f"{label}: o resultado foi levado para {found}; ele deve ficar em {expected}, onde foi calculado"


def computed_elsewhere(label, ran_on, expected):
    """The product ran on another device and only its result was moved: the exercise's point is missed."""
    return (
        f"{label}: o produto foi calculado em {devices_str(ran_on)} e só o resultado foi movido para {expected}; "
        f"mova M para {expected} antes de multiplicar"
    )


def no_product(label, expected):
    return f"{label}: nenhum produto foi calculado; calcule M @ M.T com M já em {expected}"


def not_computed_on(label, ran_on, expected):
    """Neither the product nor its result is on the device: M was never moved."""
    return f"{label}: o produto foi calculado em {devices_str(ran_on)}; mova M para {expected} antes de multiplicar"


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
    return (
        f"{label} devolveu um tensor sem grad_fn: o resultado foi desconectado do grafo "
        "(.detach(), torch.no_grad() ou NumPy)"
    )


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


def grad_accumulated(label, name):
    """The final value is the one a loop that never zeroes the gradient reaches."""
    return (
        f"{label} devolveu um {name} final de uma descida que não zera o gradiente: backward() acumula em "
        f"{name}.grad; zere-o a cada passo"
    )


def grad_not_reset_each_epoch(label, name):
    return f"{label}: {name}.grad não foi zerado ao final de cada época"


def update_errors(names):
    """What a gradient-descent loop that raises most likely did (``names``: "x", "w e b"), by exception."""
    return {
        "RuntimeError": f"a atualização de {names} foi feita fora de torch.no_grad() ou criou tensores novos; "
        "use -= dentro de torch.no_grad()",
        "TypeError": f".grad é None: {names} = ... cria tensores novos, que não são folhas; use -= dentro de "
        "torch.no_grad()",
    }


HARD_CODED_CUDA = 'o dispositivo "cuda" está fixo no código; use o device recebido'


def wrong_final_value(label, name, formula):
    return f"{label} devolveu um {name} final diferente de {formula}"


def shapes_differ_from_inputs(label):
    return f"{label}: as saídas não têm as formas das entradas"


def model_changed(label):
    return f"{label} alterou os parâmetros do modelo (valores ou requires_grad); o modelo deve ficar como estava"


def missing_values(label, what):
    return f"{label}: {what} sem valores"


def parameters_missing(label):
    return f"{label}: parâmetros do modelo ausentes"


def backward_not_run(label):
    return f"{label}: não foi possível chamar backward()"


def backward_raised(label, exception):
    if exception == "RuntimeError":  # the error this exercise is about
        return (
            f"backward() em {label} levantou RuntimeError; causa provável: uma operação in-place ainda altera um "
            "tensor que o autograd guardou para o backward"
        )
    return f"backward() em {label} levantou {exception}; esperado que funcionasse"


def grad_is_none(label, expected):
    return f"depois de backward() em {label}, t.grad é None; esperado {expected}"


def wrong_grad(label, expected):
    return f"depois de backward() em {label}, t.grad é diferente de {expected}"


def grad_of_hidden_inplace(label):
    """z.data += 1: the autograd never saw the sum, and exp's backward used the changed output."""
    return (
        f"depois de backward() em {label}, t.grad é exp(t) + 1, e não exp(t): a soma foi feita por fora do "
        "autograd (em .data), e o backward usou a saída de exp() já alterada"
    )


def given_code_edited(name, behaviour, where):
    """The locked, given code was redefined: `z_buggy foi alterada: ela deve continuar ...`."""
    return f"{name} foi alterada: ela deve continuar {behaviour}; corrija em {where}"


def own_statistics(label):
    return (
        f"{label}: cada conjunto foi padronizado com as próprias estatísticas; use a média e o desvio-padrão de "
        "X_train em todos"
    )


def statistics_of(label, name):
    """All three splits standardized with another split's statistics (``name``: "X_test")."""
    return f"{label}: os três conjuntos foram padronizados com a média e o desvio-padrão de {name}; use os de X_train"


def not_standardized(label):
    return f"{label}: os valores não correspondem a (X - média de X_train) / desvio-padrão de X_train, coluna a coluna"


# --------------------------------------------------------------------------- training


def not_a_loss_list(label):
    return f"{label} não devolveu uma list de perdas"


def loss_not_a_number(label):
    return f"{label}: cada perda deve ser um número"


def wrong_loss_count(label, found, expected):
    return f"{label} devolveu {found} perdas; esperado {expected} (uma por época)"


def each_loss_of(label):
    """The label of every item of a list of losses."""
    return f"cada perda de {label}"


FIRST_LOSS = "a inicialização (torch.manual_seed(seed) antes de criar os parâmetros) e a perda"
EPOCH_STEP = "a atualização dos parâmetros com a taxa de aprendizado e o zerar dos gradientes a cada época"


def trajectory_first_differs(label, check=FIRST_LOSS):
    """``check``: where the first epoch's loss comes from, in this exercise ("a inicialização ...")."""
    return f"{label}: a primeira perda já difere: confira {check}"


def trajectory_flat(label, check=EPOCH_STEP):
    return (
        f"{label}: a perda não muda de uma época para outra: os parâmetros não estão sendo atualizados; confira {check}"
    )


def trajectory_diverges(label, epoch, check=EPOCH_STEP):
    """``check``: what makes one epoch lead to the next, in this exercise ("a atualização ...")."""
    return f"{label}: a curva de perda diverge a partir da época {epoch}: confira {check}"


def trajectory_shifted(label):
    """Each recorded loss is the next epoch's: it was computed after the update."""
    return (
        f"{label}: cada perda registrada é a da época seguinte: calcule e guarde a perda da época antes de "
        "atualizar os parâmetros"
    )


def trajectory_at(label, epoch, found, expected):
    return f"{label}: na época {epoch} a perda foi {decimal(found, 6)}; esperado {decimal(expected, 6)}"


def gradients_accumulate(label, how):
    """The losses are those of a loop that never zeroes the gradients (``how``: the call that zeroes them)."""
    return (
        f"{label}: as perdas são as de um treino que não zera os gradientes: backward() os acumula em .grad; "
        f"zere-os a cada época ({how})"
    )


def loss_is_a_sum(label):
    return f"{label}: as perdas são somas dos erros ao quadrado; a perda MSE é a média (.mean())"


def above_target(label, metric, found, target, where="depois do treino"):
    where = f" {where}" if where else ""
    return f"{label}: {metric} {decimal(found)}{where}; meta ≤ {decimal(target, 2)}"


def final_parameters_differ(label):
    return (
        f"{label}: as perdas conferem, mas w e b devolvidos não são os treinados; devolva os próprios w e b, "
        "atualizados a cada época"
    )


def final_weights_differ(label):
    return (
        f"{label}: as perdas conferem, mas os pesos finais do modelo não: chame optimizer.step() depois de "
        "backward() em toda época, até a última"
    )


def same_results(name, what):
    """The gate on hard-coded output (``what``: "os mesmos resultados", "as mesmas perdas")."""
    return f"{name} devolve {what} para dados diferentes: {HARD_CODED}"


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


def minibatch_parameters_differ(label):
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


def evaluation_changed_model(label):
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
