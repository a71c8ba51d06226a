"""The course contract (COURSE.md in the course's shared folder) as data: assignments, exercises, points.

An exercise's row here is its contract entry, written once: id, pt-BR title,
points, and the names of the functions (or classes) the student writes in its
solution cell. Everything else about an exercise lives in its folder,
`autograder/exercises/<id>/` (probe and judge).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str  # pt-BR, shown to students
    points: float
    functions: tuple[str, ...]  # what the student defines in the solution cell
    assignment: str
    number: int  # order within the whole course, from 1

    @property
    def test_cell(self) -> str:
        return "test_" + self.id


@dataclass(frozen=True)
class Assignment:
    id: str
    exercises: tuple[Exercise, ...]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)

    def notebook(self, root, directory="solutions") -> Path:
        return Path(root) / directory / self.id / f"{self.id}.ipynb"


CONTRACT = {
    "tensors_autograd": [
        ("create_tensors", "Criando tensores", 3.0, ("make_matrix", "to_float32", "column_vector")),
        ("move_to_device", "Movendo para o dispositivo", 3.0, ("pick_device", "gram_on")),
        ("autograd_descent", "Autograd e descida do gradiente", 3.0, ("square_and_grad", "descend")),
        ("fix_inplace", "Corrigindo a operação in-place", 3.0, ("z_fixed",)),
    ],
    "linear_regression": [
        ("prepare_data", "Preparando os dados", 3.0, ("standardize", "to_column")),
        ("bgd_loop", "Regressão linear do zero (BGD)", 5.0, ("train_linear_bgd",)),
        ("train_nn_linear", "Regressão linear com nn.Linear", 5.0, ("train_bgd", "fit_linear", "predict")),
    ],
    "mlp_regression": [
        ("build_mlp", "Um MLP com nn.Sequential", 3.0, ("build_mlp",)),
        ("minibatch_training", "DataLoader e treino em mini-lotes", 5.0, ("make_loader", "train")),
        ("evaluate", "Avaliação e o RMSE do conjunto inteiro", 3.0, ("evaluate", "dataset_rmse")),
        ("fit_housing_mlp", "Treinando o MLP no California housing", 4.0, ("fit_housing_mlp",)),
    ],
    "custom_models": [
        (
            "classify_digits",
            "Um classificador de imagens",
            5.0,
            ("ImageClassifier", "accuracy", "predict_proba", "fit_digits"),
        ),
        (
            "wide_and_deep",
            "Wide & Deep: duas entradas e duas saídas",
            5.0,
            ("WideAndDeep", "multi_output_loss", "fit_wide_and_deep"),
        ),
        ("save_and_export", "Salvar, carregar e exportar", 3.0, ("save_model", "load_model", "export_model")),
        ("tune_with_optuna", "Ajuste de hiperparâmetros com o Optuna", 2.0, ("objective",)),
    ],
}


def _assignments(contract):
    out, number = {}, 1
    for assignment_id, rows in contract.items():
        exercises = []
        for exercise_id, title, points, functions in rows:
            exercises.append(Exercise(exercise_id, title, points, functions, assignment_id, number))
            number += 1
        out[assignment_id] = Assignment(assignment_id, tuple(exercises))
    return out


ASSIGNMENTS = _assignments(CONTRACT)
EXERCISES = {e.id: e for a in ASSIGNMENTS.values() for e in a.exercises}


class UnknownAssignment(ValueError):
    pass


def get_assignment(name) -> Assignment:
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise UnknownAssignment(f"unknown assignment '{name}' (known: {known})") from None


def markdown_table() -> str:
    """The README's exercise table, from the contract."""
    lines = ["| assignment | exercises (points) |", "| --- | --- |"]
    for a in ASSIGNMENTS.values():
        cells = ", ".join(f"{e.number} `{e.id}` ({e.points:g})" for e in a.exercises)
        lines.append(f"| `{a.id}` ({a.points:g}) | {cells} |")
    return "\n".join(lines)
