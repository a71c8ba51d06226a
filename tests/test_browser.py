"""The JupyterLab flows in a real browser: Playwright driving Debian's headless Chromium.

Two real `jupyter lab` servers on free ports share a temporary course and
exchange seeded like `make lab` (``autograder.lab.seed``): the instructor's
(formgrader, our ``autograder.lab`` extension) and a student's. Both run under
a JupyterHub-like base URL (``/user/<name>/``), where formgrader's links used
to break. Each step leaves a screenshot in ``test-artifacts/browser/``
(git-ignored).

The browser tests need Chromium (``/usr/bin/chromium``, or ``AUTOGRADER_CHROMIUM``)
and the ``playwright`` package (``.[test]``); without them they are skipped, or
fail when ``AUTOGRADER_REQUIRE_BROWSER=1``. The server-side checks (our
extension's handlers and static fixes) run everywhere.
"""

import os
import re
import shutil
import signal
import threading
import time
import urllib.request

import nbformat
import pytest
from support import ROOT

from autograder.course import ASSIGNMENTS
from autograder.demo import personas
from autograder.lab.extension import LINK_FIX, VALIDATE_BUG, VALIDATE_FIX, patched_static_files
from autograder.lab.seed import INTERACTIVE_STUDENT, seed
from autograder.lab.server import CHROMIUM, CHROMIUM_ARGS, start_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

ARTIFACTS = ROOT / "test-artifacts" / "browser"
INSTRUCTOR_BASE, STUDENT_BASE = "/user/professora/", f"/user/{INTERACTIVE_STUDENT}/"
UI_TIMEOUT_MS = 90_000  # a cold JupyterLab page on a small CI machine
GRADE_TIMEOUT_MS = 240_000  # one submission through the engine
UI_GRADED = "tensors_autograd"  # the assignment the instructor autogrades from formgrader

try:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
except ImportError:  # pragma: no cover
    sync_playwright = None


def _missing():
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set AUTOGRADER_CHROMIUM)"
    return None


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return seed(ROOT, tmp_path_factory.mktemp("lab") / "state", say=lambda m: None)


@pytest.fixture(scope="module")
def instructor(lab):
    server = start_lab(
        lab.course,
        lab.state / "jupyter" / "professora",
        lab.state / "logs" / "professora.log",
        base_url=INSTRUCTOR_BASE,
    )
    yield server
    server.stop()
    _keep_log(server, "professora")


@pytest.fixture(scope="module")
def student(lab):
    server = start_lab(
        lab.home(INTERACTIVE_STUDENT),
        lab.state / "jupyter" / INTERACTIVE_STUDENT,
        lab.state / "logs" / f"{INTERACTIVE_STUDENT}.log",
        base_url=STUDENT_BASE,
        instructor=False,
    )
    yield server
    server.stop()
    _keep_log(server, INTERACTIVE_STUDENT)


def _keep_log(server, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log_path, ARTIFACTS / f"jupyter-{name}.log")


@pytest.fixture(scope="module")
def browser():
    if _missing():
        if os.environ.get("AUTOGRADER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (AUTOGRADER_REQUIRE_BROWSER=1) but {_missing()}")
        pytest.skip(_missing())
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Steps:
    """A browser context and page, numbered screenshots in test-artifacts/browser/<flow>/, and one
    more screenshot (and the browser console) when the flow fails."""

    def __init__(self, browser, flow):
        self.browser, self.flow = browser, flow

    def __enter__(self):
        self.context = self.browser.new_context(viewport={"width": 1600, "height": 1000}, locale="pt-BR")
        self.context.set_default_timeout(UI_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.dir = ARTIFACTS / self.flow
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.console = []
        self.context.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        return self

    def shot(self, name, page=None):
        self.n += 1
        path = self.dir / f"{self.n:02d}-{name}.png"
        (page or self.page).screenshot(path=str(path))
        return path

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for i, page in enumerate(self.context.pages):
                try:
                    page.screenshot(path=str(self.dir / f"FAILED-page{i}.png"))
                except Exception:  # noqa: BLE001 (the failure itself is what matters)
                    pass
        (self.dir / "console.log").write_text("\n".join(self.console))
        self.context.close()


# --------------------------------------------------------------------------- helpers


def open_lab(page, server, path="lab"):
    page.goto(server.lab_url(path))
    page.locator("#jupyterlab-splash").wait_for(state="detached")
    page.locator("#jp-main-dock-panel").wait_for()


def hide_file_browser(page):
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    page.locator("#filebrowser").wait_for(state="hidden")


def nbgrader_menu(page, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def close_modal(frame, expect_text):
    """formgrader's result dialog: it must be the success one, with ``expect_text``; then close it."""
    modal = frame.locator("#success-modal, #error-modal")
    modal.wait_for(timeout=GRADE_TIMEOUT_MS)
    text = modal.inner_text()
    assert modal.get_attribute("id") == "success-modal", text
    assert expect_text in text, text
    modal.locator("button.btn-primary").click()
    modal.wait_for(state="detached")
    return text


def submission_row(frame, student):
    return frame.locator("#main-table tr", has=frame.locator("td", has_text=re.compile(f"^{student}$")))


def autograde_in_ui(frame, assignment, student):
    row = submission_row(frame, student)
    row.locator(".autograde a").click()
    close_modal(frame, f"Successfully autograded '{assignment}' for student '{student}'")
    expect(submission_row(frame, student).locator(".score")).to_have_text(re.compile(r"\d+(\.\d+)? / \d+"))
    return submission_row(frame, student).locator(".score").inner_text()


class Poller:
    """GET /api/status every 100 ms from another thread, while the UI works: the server must answer."""

    def __init__(self, server):
        self.server, self.latencies, self.stop_flag = server, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag.is_set():
            t = time.monotonic()
            self.server.request("GET", "api/status", timeout=120)
            self.latencies.append(time.monotonic() - t)
            self.stop_flag.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join()


def goto_in_formgrader(frame, link_text):
    frame.locator("a", has_text=re.compile(f"^{link_text}$")).first.click()


# --------------------------------------------------------------------------- instructor


def test_instructor_formgrader_autograde_feedback(instructor, browser, lab):
    with Steps(browser, "instructor") as steps:
        instructor_flow(steps, instructor, lab)


def instructor_flow(steps, instructor, lab):
    page = steps.page
    open_lab(page, instructor, "lab/workspaces/instrutor")
    hide_file_browser(page)  # room for formgrader's table
    nbgrader_menu(page, "Formgrader")
    fg = page.frame_locator("#formgrader iframe")

    # Every assignment, released, with the simulated class's submissions.
    for a in ASSIGNMENTS:
        row = fg.locator("#main-table tr", has_text=a)
        expect(row.locator(".status")).to_have_text("released")
        assert int(row.locator(".num-submissions").inner_text()) >= 3
    steps.shot("formgrader-assignments")

    # Autograde one assignment's class from the UI (the others go through the same buttons; the engine grades
    # every assignment in the other tests); the engine's scores land in the gradebook view. While a submission
    # is being graded, the server keeps answering other requests.
    a, points = UI_GRADED, ASSIGNMENTS[UI_GRADED].points
    fg.locator("#main-table tr", has_text=a).locator(".num-submissions a").click()
    expect(fg.locator(".breadcrumb")).to_contain_text(a)
    assert autograde_in_ui(fg, a, "ana") == f"{points:g} / {points:g}"
    assert autograde_in_ui(fg, a, "bruno") == f"0 / {points:g}"
    with Poller(instructor) as poll:
        carla = autograde_in_ui(fg, a, "carla")
    assert 0 < float(carla.split("/")[0]) < float(carla.split("/")[1]), carla
    assert poll.latencies and max(poll.latencies) < 1.0, (
        f"server blocked while grading: max GET /api/status latency {max(poll.latencies):.2f} s"
    )
    steps.shot(f"autograded-{a}")
    goto_in_formgrader(fg, "Manage Assignments")

    # Totals per student, over the whole course: the reference submission has every point of the graded
    # assignment, the stubs nothing.
    goto_in_formgrader(fg, "Manage Students")
    total = sum(x.points for x in ASSIGNMENTS.values())
    expect(submission_row(fg, "ana").locator(".score")).to_have_text(f"{points:g} / {total:g}")
    expect(submission_row(fg, "bruno").locator(".score")).to_have_text(f"0 / {total:g}")
    steps.shot("students-totals")

    # The manual-grading view shows the engine's pt-BR messages in the test cells' outputs.
    submission_row(fg, "carla").locator("a").first.click()
    expect(fg.locator(".breadcrumb li.active")).to_have_text("carla")
    fg.locator("#main-table a", has_text="tensors_autograd").click()
    expect(fg.locator(".breadcrumb li.active")).to_have_text("tensors_autograd")
    fg.locator("#main-table a", has_text="tensors_autograd").click()
    verdict = fg.get_by_text("Exercício 1 — Criando tensores").first
    expect(verdict).to_be_visible()
    expect(fg.locator("body")).to_contain_text("esperado torch.float32")
    verdict.evaluate("e => e.scrollIntoView({block: 'end'})")
    steps.shot("manual-grading-ptbr-messages")

    # Generate and release feedback for the class.
    goto_in_formgrader(fg, "Manual Grading")
    goto_in_formgrader(fg, "Manage Assignments")
    row = fg.locator("#main-table tr", has_text="tensors_autograd")
    row.locator(".generate-feedback a").click()
    close_modal(fg, "Successfully generated feedback of 'tensors_autograd'")
    fg.locator("#main-table tr", has_text="tensors_autograd").locator(".release-feedback a").click()
    close_modal(fg, "Successfully released feedback of 'tensors_autograd'")
    steps.shot("feedback-generated-and-released")
    released = list((lab.exchange / "pytorch-redes-neurais" / "feedback").glob("*.html"))
    assert len(released) >= 3, released

    # Open a feedback file in JupyterLab: the engine's verdict, in Portuguese, no hidden code.
    page.goto(instructor.lab_url("lab/tree/feedback/carla/tensors_autograd/tensors_autograd.html"))
    viewer = page.frame_locator(".jp-HTMLViewer iframe")
    expect(viewer.locator("body")).to_contain_text("Exercício 1 — Criando tensores")
    expect(viewer.locator("body")).not_to_contain_text("run_hidden_checks")
    steps.shot("feedback-file-carla")
    viewer.get_by_text("Exercício 1 — Criando tensores").first.evaluate("e => e.scrollIntoView({block: 'center'})")
    steps.shot("feedback-file-carla-verdict")


def test_formgrader_in_its_own_tab_under_a_base_url(instructor, browser):
    """JupyterHub >= 4.1 forbids framing (README); formgrader in its own tab needs working links."""
    with Steps(browser, "formgrader-own-tab") as steps:
        own_tab_flow(steps, instructor)


def show_in_file_browser(tab, name, seconds=60):
    """Wait until ``name`` shows in the file browser. The saved layout is restored asynchronously and
    may collapse the left sidebar after the page looks ready, so open it again as often as needed."""
    item = tab.locator(".jp-DirListing-item", has_text=name)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not tab.locator("#filebrowser").is_visible():
            tab.get_by_role("tab", name=re.compile("^File Browser")).click()
        try:
            expect(item).to_be_visible(timeout=3000)
            return
        except AssertionError:
            continue
    expect(item).to_be_visible(timeout=1000)


def own_tab_flow(steps, instructor):
    page = steps.page
    page.goto(instructor.lab_url("formgrader"))
    link = page.locator("#main-table tr", has_text="tensors_autograd").locator(".name a")
    expect(link).to_have_attribute("href", f"{INSTRUCTOR_BASE}lab/tree/solutions/tensors_autograd")
    steps.shot("formgrader-own-tab")
    with page.context.expect_page() as new_tab:
        link.click()
    tab = new_tab.value
    tab.locator("#jupyterlab-splash").wait_for(state="detached")
    tab.locator("#jp-main-dock-panel").wait_for()
    expect(tab.locator("#filebrowser .jp-BreadCrumbs")).to_contain_text("tensors_autograd")
    show_in_file_browser(tab, "tensors_autograd.ipynb")
    steps.shot("link-opens-the-source-folder", tab)


def test_jupyterhub_csp_blanks_the_formgrader_iframe(instructor, browser):
    """JupyterHub >= 4.1 single-user servers send ``frame-ancestors 'none'``: formgrader's tab in
    JupyterLab stays blank. The README's setting (``frame-ancestors 'self'``) brings it back."""
    for csp, shown in (("frame-ancestors 'none'", False), ("frame-ancestors 'self'", True)):
        with Steps(browser, "jupyterhub-csp") as steps:

            def with_csp(route):
                response = route.fetch()
                route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

            steps.context.route(f"**{INSTRUCTOR_BASE}formgrader**", with_csp)
            page = steps.page
            open_lab(page, instructor, f"lab/workspaces/csp{int(shown)}")
            fg = page.frame_locator("#formgrader iframe")
            if shown:
                nbgrader_menu(page, "Formgrader")
                expect(fg.locator("#main-table")).to_contain_text("tensors_autograd")
                steps.shot("csp-self-formgrader-shown")
            else:
                with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text) as refused:
                    nbgrader_menu(page, "Formgrader")
                assert "blocked" in refused.value.text or "Refused" in refused.value.text, refused.value.text
                expect(fg.locator("#main-table")).to_have_count(0)
                steps.shot("csp-none-formgrader-blank")


# --------------------------------------------------------------------------- server side (no browser)


def test_nbgrader_front_end_bugs_are_still_there_to_fix():
    """Our static fixes match the installed nbgrader; when an upgrade changes those files, this fails
    and the fixes (autograder/lab/extension.py) can be re-checked or dropped."""
    fixed = patched_static_files()
    assert LINK_FIX in fixed.pop("formgrader/static/js/utils.js")
    (chunk,) = fixed.values()  # the Validate button's code
    assert VALIDATE_FIX in chunk and not VALIDATE_BUG.search(chunk)


def test_corrected_static_files_are_served(instructor):
    for rel, text in patched_static_files().items():
        with urllib.request.urlopen(instructor.url + rel) as r:
            assert r.read().decode() == text, rel


def test_autograde_api_answers_as_stock_while_the_server_stays_responsive(instructor):
    """The formgrader's REST call (what its Autograde button posts), on our extension: same JSON
    (success, log), the engine's score in the gradebook, other requests answered meanwhile."""
    with Poller(instructor) as poll:
        result = instructor.request("POST", "formgrader/api/submission/linear_regression/carla/autograde")
    assert result["success"], result
    assert "engine: carla" in result["log"] or "Autograding" in result["log"], result["log"]
    submissions = {s["student"]: s for s in instructor.request("GET", "formgrader/api/submissions/linear_regression")}
    assert submissions["carla"]["autograded"] and 0 < submissions["carla"]["score"] < 13
    assert max(poll.latencies) < 1.0, max(poll.latencies)


def test_a_dead_worker_is_replaced(instructor):
    """The worker is killed (out of memory, say): the next formgrader action starts a new one."""
    instructor.request("POST", "formgrader/api/submission/tensors_autograd/bruno/autograde")
    pids = re.findall(r"formgrader worker started \(pid (\d+)\)", instructor.log_path.read_text())
    assert pids, instructor.log_tail()
    os.kill(int(pids[-1]), signal.SIGKILL)
    result = instructor.request("POST", "formgrader/api/submission/tensors_autograd/bruno/autograde")
    if not result["success"]:  # the dead worker's pipe is noticed by this request: it reports it
        assert "worker failed" in result["error"], result
        result = instructor.request("POST", "formgrader/api/submission/tensors_autograd/bruno/autograde")
    assert result["success"], result
    assert len(re.findall(r"formgrader worker started", instructor.log_path.read_text())) == len(pids) + 1


# --------------------------------------------------------------------------- student


def test_student_fetch_validate_submit_then_graded(student, instructor, browser, lab):
    with Steps(browser, "student") as steps:
        student_flow(steps, student, instructor, lab)


def student_flow(steps, student, instructor, lab):
    page = steps.page
    a = "tensors_autograd"
    open_lab(page, student, "lab/workspaces/aluna")
    nbgrader_menu(page, "Assignment List")
    alist = page.locator("#nbgrader-assignment-list")
    released = alist.locator("#released_assignments_list .list_item", has_text=a)
    steps.shot("assignment-list")

    released.get_by_role("button", name="Fetch").click()
    fetched = alist.locator("#fetched_assignments_list")
    expect(fetched.locator(".list_item:not(.nested_list_item)", has_text=a)).to_be_visible()
    expect(alist.locator("#released_assignments_list .list_item", has_text=a)).to_have_count(0)
    fetched.get_by_role("button", name=a).click()  # expand: the notebooks
    notebook_link = fetched.locator(f"#nbgrader-pytorch-redes-neurais-{a} a", has_text=a)
    expect(notebook_link).to_be_visible()
    steps.shot("fetched")

    # Fill in exercise 1 with the reference answer, as a student would type it.
    notebook_link.click()
    panel = page.locator(".jp-NotebookPanel")
    cell = panel.locator(".jp-CodeCell", has_text="def make_matrix()").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    source = nbformat.read(lab.course / "solutions" / a / f"{a}.ipynb", as_version=4)
    page.keyboard.insert_text(personas.reference_answers(source)["create_tensors"].strip() + "\n")
    expect(cell).not_to_contain_text("NotImplementedError")
    page.keyboard.press("Escape")
    steps.shot("exercise-1-filled")

    # Validate (it saves, then runs the visible tests): exercise 1 passes, the stubs fail.
    panel.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Validation", timeout=GRADE_TIMEOUT_MS)
    text = dialog.inner_text()
    assert "Cannot check version" not in text, text
    assert "pick_device()" in text and "NotImplementedError" in text, text  # exercise 2's test fails
    assert "make_matrix()" not in text, text  # exercise 1's passes
    steps.shot("validate-results")
    dialog.get_by_role("button", name="OK").click()
    saved = nbformat.read(lab.home(INTERACTIVE_STUDENT) / a / f"{a}.ipynb", as_version=4)
    assert "NotImplementedError" not in next(c.source for c in saved.cells if "def make_matrix" in c.source)

    # Submit from the Assignment List.
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    fetched.locator(".list_item:not(.nested_list_item)", has_text=a).get_by_role("button", name="Submit").click()
    expect(alist.locator("#submitted_assignments_list")).to_contain_text(a)
    steps.shot("submitted")

    # The instructor collects and autogrades it (formgrader in its own tab, quicker than a new lab).
    fg = steps.context.new_page()
    fg.goto(instructor.lab_url("formgrader"))
    fg.locator("#main-table tr", has_text=a).locator(".collect a").click()
    close_modal(fg, f"Successfully collected submissions of '{a}'")
    fg.locator("#main-table tr", has_text=a).locator(".num-submissions a").click()
    score = autograde_in_ui(fg, a, INTERACTIVE_STUDENT)
    assert score == "3 / 12", score  # exercise 1 only: full marks from the hidden checks
    steps.shot("instructor-collected-and-graded", fg)
