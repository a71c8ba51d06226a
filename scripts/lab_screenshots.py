#!/usr/bin/env python
"""Copy the README's JupyterLab screenshots from the browser tests' artifacts into docs/lab/.

.venv/bin/python -m pytest tests/test_browser.py    # writes test-artifacts/browser/ (git-ignored)
.venv/bin/python scripts/lab_screenshots.py         # refreshes docs/lab/*.png (palette PNGs, 1280 px wide)
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = ROOT / "test-artifacts" / "browser", ROOT / "docs" / "lab"
CHOSEN = {  # docs/lab name: the test's screenshot (flow/NN-step.png, any NN)
    "1-formgrader.png": "instructor/*-formgrader-assignments.png",
    "2-autograded.png": "instructor/*-autograded-tensors_autograd.png",
    "3-students.png": "instructor/*-students-totals.png",
    "4-manual-grading.png": "instructor/*-manual-grading-ptbr-messages.png",
    "5-feedback.png": "instructor/*-feedback-file-carla-verdict.png",
    "6-student-validate.png": "student/*-validate-results.png",
    "7-student-submitted.png": "student/*-submitted.png",
    "8-collected-graded.png": "student/*-instructor-collected-and-graded.png",
}


def main():
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, pattern in CHOSEN.items():
        found = sorted(SOURCE.glob(pattern))
        if not found:
            missing.append(pattern)
            continue
        image = Image.open(found[-1]).convert("RGB")
        if image.width > 1280:
            image = image.resize((1280, round(image.height * 1280 / image.width)), Image.LANCZOS)
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(TARGET / name, optimize=True)
        print(f"{TARGET / name}  <-  {found[-1].relative_to(ROOT)}")
    if missing:
        print("not found (run the browser tests first):", ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
