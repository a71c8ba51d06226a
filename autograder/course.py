"""The course contract (../shared/COURSE.md) as data: assignments, exercises, points."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str          # pt-BR, shown to students
    points: float
    assignment: str
    number: int         # order within the whole course, from 1

    @property
    def test_cell(self):
        return "test_" + self.id


@dataclass(frozen=True)
class Assignment:
    id: str
    exercises: tuple

    @property
    def points(self):
        return sum(e.points for e in self.exercises)

    def notebook(self, root, directory="solutions"):
        return Path(root) / directory / self.id / f"{self.id}.ipynb"


def _assignment(id, rows, start):
    return Assignment(id, tuple(
        Exercise(ex_id, title, points, id, start + i) for i, (ex_id, title, points) in enumerate(rows)))


ASSIGNMENTS = {
    a.id: a for a in (
        _assignment("tensors_autograd", [
            ("create_tensors", "Criando tensores", 3.0),
            ("move_to_device", "Movendo para o dispositivo", 3.0),
            ("autograd_descent", "Autograd e descida do gradiente", 3.0),
            ("fix_inplace", "Corrigindo a operação in-place", 3.0),
        ], start=1),
        _assignment("linear_regression", [
            ("prepare_data", "Preparando os dados", 3.0),
            ("bgd_loop", "Regressão linear do zero (BGD)", 5.0),
            ("train_nn_linear", "Regressão linear com nn.Linear", 5.0),
        ], start=5),
    )
}

EXERCISES = {e.id: e for a in ASSIGNMENTS.values() for e in a.exercises}


class UnknownAssignment(ValueError):
    pass


def get_assignment(name):
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise UnknownAssignment(f"unknown assignment '{name}' (known: {known})") from None
