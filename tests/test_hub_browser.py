"""The course on a real JupyterHub in a real browser (Playwright + Chromium), as each person uses it.

Shares the session's hub (``conftest.hub``). Screenshots of each step go to
``test-artifacts/hub/browser/``; the README's JupyterHub section shows some of
them (``docs/hub/``). Needs Chromium like tests/test_browser.py (fails rather
than skips when ``AUTOGRADER_REQUIRE_BROWSER=1``).
"""

import os
import re
import shutil

import nbformat
import pytest
from conftest import ARTIFACTS, COURSE
from test_browser import GRADE_TIMEOUT_MS, Steps, _missing, autograde_in_ui, close_modal, nbgrader_menu, submission_row

from autograder.demo import personas
from autograder.lab.server import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("hub")]
A = "tensors_autograd"


@pytest.fixture(scope="module")
def browser():
    if _missing():
        if os.environ.get("AUTOGRADER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (AUTOGRADER_REQUIRE_BROWSER=1) but {_missing()}")
        pytest.skip(_missing())
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS / "browser", ignore_errors=True)
    (ARTIFACTS / "browser").mkdir(parents=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def hub_artifacts(monkeypatch):
    import test_browser

    monkeypatch.setattr(test_browser, "ARTIFACTS", ARTIFACTS / "browser")  # Steps' screenshots go here


def log_in(page, hub, short, next_path=""):
    page.goto(f"{hub.url}/hub/login" + (f"?next={next_path}" if next_path else ""))
    page.locator("#username_input").fill(hub.name(short))
    page.locator("#password_input").fill(hub.password(short))
    page.locator("#login_submit").click()


def wait_lab(page):
    page.locator("#jupyterlab-splash").wait_for(state="detached", timeout=180_000)
    page.locator("#jp-main-dock-panel").wait_for(timeout=180_000)


def test_hub_instructor_student_second_student_and_ta(hub, browser, released):
    from playwright.sync_api import expect

    # The instructor: the course's formgrader through the hub, in JupyterLab's tab (not blank: the
    # formgrader service allows framing by the hub's own pages); releases the second assignment.
    with Steps(browser, "instructor") as steps:
        page = steps.page
        log_in(page, hub, "prof", f"/services/{COURSE}/lab")
        wait_lab(page)
        nbgrader_menu(page, "Formgrader")
        fg = page.frame_locator("#formgrader iframe")
        row = fg.locator("#main-table tr", has_text="linear_regression")
        expect(row.locator(".status")).to_have_text("draft")
        row.locator(".release a").click()
        close_modal(fg, "Successfully released")
        expect(fg.locator("#main-table tr", has_text="linear_regression").locator(".status")).to_have_text("released")
        steps.shot("formgrader-through-the-hub")

    # A student: her own JupyterLab; fetch, exercise 1, submit; the feedback on submit in our panel.
    with Steps(browser, "student") as steps:
        page = steps.page
        log_in(page, hub, "ana")
        wait_lab(page)
        nbgrader_menu(page, "Assignment List")
        alist = page.locator("#nbgrader-assignment-list")
        alist.locator("#released_assignments_list .list_item", has_text=A).get_by_role("button", name="Fetch").click()
        fetched = alist.locator("#fetched_assignments_list")
        expect(fetched.locator(".list_item:not(.nested_list_item)", has_text=A)).to_be_visible()
        steps.shot("assignment-list-fetched")
        fetched.get_by_role("button", name=A).click()
        fetched.locator(f"#nbgrader-{COURSE}-{A} a", has_text=A).click()
        panel = page.locator(".jp-NotebookPanel")
        cell = panel.locator(".jp-CodeCell", has_text="def make_matrix()").first
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        source = nbformat.read(hub.state / "course" / "solutions" / A / f"{A}.ipynb", as_version=4)
        page.keyboard.insert_text(personas.reference_answers(source)["create_tensors"].strip() + "\n")
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-current .jp-mod-dirty")).to_have_count(0)
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        fetched.locator(".list_item:not(.nested_list_item)", has_text=A).get_by_role("button", name="Submit").click()
        expect(alist.locator("#submitted_assignments_list")).to_contain_text(A)
        steps.shot("submitted")
        nbgrader_menu(page, "Correção prévia")
        frame = page.frame_locator("#autograder-precheck iframe")
        expect(frame.locator("body")).to_contain_text("concluída", timeout=GRADE_TIMEOUT_MS)
        expect(frame.locator("tr.ok")).to_contain_text("Criando tensores")
        expect(frame.locator("body")).to_contain_text("pick_device() levantou NotImplementedError")
        expect(frame.locator("body")).to_contain_text("Não é a nota final")
        steps.shot("feedback-on-submit")

        # Students cannot open the formgrader.
        page.goto(f"{hub.url}/services/{COURSE}/formgrader")
        expect(page.locator("body")).to_contain_text("403")
        steps.shot("student-formgrader-403")

    # A second student cannot see the first one's feedback.
    with Steps(browser, "second-student") as steps:
        page = steps.page
        log_in(page, hub, "bia", f"/services/autograder/precheck/{hub.name('ana')}")
        expect(page.locator("body")).to_contain_text("Você só pode ver a sua própria correção prévia")
        expect(page.locator("body")).not_to_contain_text("pick_device")
        steps.shot("other-students-feedback-403")

    # The TA: formgrader in its own tab through the hub; collects and autogrades the student.
    with Steps(browser, "ta") as steps:
        page = steps.page
        log_in(page, hub, "ta", f"/services/{COURSE}/formgrader")
        row = page.locator("#main-table tr", has_text=A)
        row.locator(".collect a").click()
        close_modal(page, f"Successfully collected submissions of '{A}'")
        page.locator("#main-table tr", has_text=A).locator(".num-submissions a").click()
        score = autograde_in_ui(page, A, hub.name("ana"))
        assert score == "3 / 12", score
        expect(submission_row(page, hub.name("ana")).locator(".score")).to_have_text(re.compile(r"3 / 12"))
        steps.shot("ta-collected-and-autograded")
