"""Auto-graded PyTorch exercises: hidden checks, grading engine, nbgrader integration."""

__version__ = "0.1.0"
