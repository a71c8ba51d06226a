"""The course on a real JupyterHub (``autograder.hub``), through HTTP as each person would.

One hub for the session (``conftest.hub``): real Unix accounts, PAM logins,
the real proxy, each user's real single-user server. Instructor (prof), TA
(ta) and students (ana, bia, caio; ana is the browser tests' student).
"""

import json
import os
import stat
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import ARTIFACTS, COURSE
from support import ROOT, reference_answers

from autograder.demo import personas

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("hub")]
A = "tensors_autograd"
PRECHECK_TIMEOUT_S = 180


# --------------------------------------------------------------------------- helpers


def student_server(hub, short):
    s = hub.session(short)
    s.start_server()
    return s


def assignment_action(s, action, assignment=A):
    """What the Assignment List's buttons post to the student's server (nbgrader's handlers)."""
    prefix = f"/user/{s.name}/"
    r = s.s.post(
        f"{s.url}{prefix}assignments/{action}",
        data={"course_id": COURSE, "assignment_id": assignment},
        headers={"X-XSRFToken": s.xsrf(prefix)},
        timeout=300,
    )
    assert r.status_code == 200, r.text
    return r.json()


def save_notebook(s, relpath, nb):
    """Save through the student's Jupyter contents API, as JupyterLab does."""
    prefix = f"/user/{s.name}/"
    r = s.s.put(
        f"{s.url}{prefix}api/contents/{relpath}",
        data=json.dumps({"type": "notebook", "content": nb}),
        headers={"X-XSRFToken": s.xsrf(prefix)},
        timeout=60,
    )
    assert r.status_code in (200, 201), r.text


def with_exercise_1(nb_json):
    nb = nbformat.from_dict(nb_json)
    personas.fill(nb, {"create_tensors": reference_answers(A)["create_tensors"]})
    return json.loads(nbformat.writes(nb))


def wait_precheck(s, student=None, count=1):
    """The student's pre-check results once ``count`` of them are no longer pending."""
    path = f"/services/autograder/api/precheck/{COURSE}/{A}" + (f"/{student}" if student else "")
    deadline = time.monotonic() + PRECHECK_TIMEOUT_S
    while True:
        data = s.get(path).json()
        done = [r for r in data["results"] if r["status"] != "pending"]
        if len(done) >= count:
            return data
        assert time.monotonic() < deadline, data
        time.sleep(1)


@pytest.fixture(scope="module")
def caio(hub, released):
    """caio fetched, answered exercise 1 and submitted from his own server; his pre-check is done."""
    s = student_server(hub, "caio")
    fetched = assignment_action(s, "fetch")
    assert any(a["status"] == "fetched" for a in fetched["value"]), fetched
    nb = s.get(f"/user/{s.name}/api/contents/{A}/{A}.ipynb").json()["content"]
    save_notebook(s, f"{A}/{A}.ipynb", with_exercise_1(nb))
    s.submitted_at = time.time()
    submitted = assignment_action(s, "submit")
    assert submitted["success"], submitted
    return s


@pytest.fixture(scope="module")
def bia(hub, released):
    """bia fetched and submitted the stubs twice (her pre-check quota: 2)."""
    s = student_server(hub, "bia")
    assert assignment_action(s, "fetch")["success"]
    for _ in range(2):
        assert assignment_action(s, "submit")["success"]
    return s


def inbound(hub, short):
    return sorted(p for p in hub.exchange.joinpath("inbound").iterdir() if p.name.startswith(hub.name(short) + "+"))


# --------------------------------------------------------------------------- make hub


def test_make_hub_without_root_says_so(monkeypatch, capsys):
    from autograder.hub import __main__ as make_hub

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert make_hub.main([]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "needs root" in err and "sudo make hub" in err, err


def test_accounts_log_in_with_their_unix_password_only(hub):
    from hub_client import HubSession

    assert HubSession(hub.url, hub.name("ana"), hub.password("ana")).logged_in
    assert not HubSession(hub.url, hub.name("ana"), hub.password("bia")).logged_in
    assert not HubSession(hub.url, hub.name("grader"), "x").logged_in  # the grading account has no login


# --------------------------------------------------------------------------- formgrader through the hub


def test_formgrader_service_for_instructor_and_ta_only(hub, released):
    for short in ("prof", "ta"):
        r = hub.session(short).get(f"/services/{COURSE}/formgrader/api/assignments")
        assert r.status_code == 200, (short, r.status_code)
        assert {a["name"]: a["status"] for a in r.json()}[A] == "released"
    ana = hub.session("ana")
    for path in ("formgrader/api/assignments", "formgrader", "lab"):
        r = ana.get(f"/services/{COURSE}/{path}")
        assert r.status_code == 403, (path, r.status_code, r.url)


def test_formgrader_service_runs_as_the_grading_account_in_the_course(hub, released):
    out = hub.exchange / "outbound" / A / f"{A}.ipynb"
    st = out.stat()
    assert st.st_uid == hub.exchange.stat().st_uid != 0 and stat.S_IMODE(st.st_mode) == 0o600


# --------------------------------------------------------------------------- feedback on submit


def test_feedback_on_submit_reaches_that_student_only(hub, caio):
    data = wait_precheck(caio)
    visible = time.time() - caio.submitted_at
    (result,) = data["results"]
    assert result["status"] == "done", result
    # Graded as soon as it arrived: what the service adds to grading one submission is small.
    in_service = result["finished_at"] - result["submitted_at"]
    assert in_service < result["seconds"] + 20, result
    figures = ARTIFACTS / "precheck-latency.txt"
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_text(
        f"submit clicked -> feedback visible to the student: {visible:.1f} s (polling every 1 s)\n"
        f"in the service, submit received -> graded: {in_service:.1f} s; the engine's grading: {result['seconds']} s\n"
    )
    scores = {e["id"]: e["score"] for e in result["exercises"]}
    assert scores == {"create_tensors": 3.0, "move_to_device": 0.0, "autograd_descent": 0.0, "fix_inplace": 0.0}
    ex2 = next(e for e in result["exercises"] if e["id"] == "move_to_device")
    assert ex2["messages"] and all("levantou NotImplementedError" in m for m in ex2["messages"]), ex2
    page = caio.get("/services/autograder/precheck")
    assert page.status_code == 200 and "Não é a nota final" in page.text and "pick_device()" in page.text

    bia = hub.session("bia")
    other = hub.name("caio")
    for path in (f"/services/autograder/api/precheck/{COURSE}/{A}/{other}", f"/services/autograder/precheck/{other}"):
        r = bia.get(path)
        assert r.status_code == 403, (path, r.status_code)
        assert "pick_device" not in r.text and "própria" in r.text
    assert "pick_device" not in bia.get("/services/autograder/precheck").text  # not in her own page either
    # the course staff may read it
    assert hub.session("ta").get(f"/services/autograder/api/precheck/{COURSE}/{A}/{other}").status_code == 200


def test_submit_needs_the_servers_hub_token_not_a_cookie(hub, released):
    """A page cannot make a logged-in student's browser submit: cookies are not enough."""
    ana = hub.session("ana")
    ana.get("/services/autograder/api/me")
    r = ana.s.post(f"{hub.url}/services/autograder/api/submit/{COURSE}/{A}", json={"files": {"x.ipynb": ""}})
    assert r.status_code == 403, r.status_code


def test_precheck_is_rate_limited_but_the_submission_counts(hub, bia):
    data = wait_precheck(bia, count=2)
    assert [r["status"] for r in data["results"]] == ["done", "done"] and data["left"] == 0
    third = assignment_action(bia, "submit")
    assert third["success"], third
    data = wait_precheck(bia, count=3)
    assert data["results"][0]["status"] == "limited", data["results"][0]
    assert "limite de 2 correções prévias" in data["results"][0]["message"]
    assert len(inbound(hub, "bia")) == 3  # all three are in the exchange for the final grade


# --------------------------------------------------------------------------- the closed exchange


def run_attacks(hub, short, config, tmp_path):
    path = tmp_path / f"attacks-{config['layout']}.json"
    path.write_text(json.dumps(config))
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    script = ROOT / "tests" / "hub_attacks.py"
    proc = subprocess.run(
        ["runuser", "-u", hub.name(short), "--", sys.executable, str(script), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def stock_exchange(hub, tmp_path):
    """nbgrader's stock exchange, as its docs set it up, with caio's and bia's real submissions."""
    root = tmp_path / "stock-exchange"
    root.mkdir()
    root.chmod(0o777)
    course = hub.state / "course"
    code = f"""
import sys
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
from traitlets.config import Config
c = Config()
c.CourseDirectory.course_id = {COURSE!r}
c.CourseDirectory.assignment_id = {A!r}
c.Exchange.root = {str(root)!r}
c.Exchange.assignment_dir = sys.argv[1]
for cls in (ExchangeFetchAssignment, ExchangeSubmit):
    cls(coursedir=CourseDirectory(config=c), authenticator=Authenticator(config=c), config=c).start()
"""
    release = f"""
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeReleaseAssignment
from traitlets.config import Config
c = Config()
c.CourseDirectory.root = {str(course)!r}
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.course_id = {COURSE!r}
c.CourseDirectory.assignment_id = {A!r}
c.Exchange.root = {str(root)!r}
ExchangeReleaseAssignment(coursedir=CourseDirectory(config=c), authenticator=Authenticator(config=c), config=c).start()
"""
    run_as(hub, "grader", ["-c", release])
    for short in ("caio", "bia"):
        work = hub.home(short) / "stock"
        run_as(hub, short, ["-c", f"import os; os.makedirs({str(work)!r}, exist_ok=True)"])
        run_as(hub, short, ["-c", code, str(work)])
    caio_sub = next((root / COURSE / "inbound").glob(f"{hub.name('caio')}+*"))
    # the instructor's feedback for caio, released the stock way (a file named by a hash, 0644)
    feedback = tmp_path / "fb" / hub.name("caio") / A
    feedback.mkdir(parents=True)
    for name in ("timestamp.txt", "submission_secret.txt"):
        (feedback / name).write_bytes((caio_sub / name).read_bytes())
    (feedback / f"{A}.html").write_text("<p>nota: 3/12</p>")
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeReleaseFeedback
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(tmp_path)
    c.CourseDirectory.feedback_directory = "fb"
    c.CourseDirectory.course_id = COURSE
    c.CourseDirectory.assignment_id = A
    c.Exchange.root = str(root)
    ExchangeReleaseFeedback(
        coursedir=CourseDirectory(config=c), authenticator=Authenticator(config=c), config=c
    ).start()
    (other_feedback,) = (root / COURSE / "feedback").glob("*.html")
    bia_sub = next((root / COURSE / "inbound").glob(f"{hub.name('bia')}+*"))
    return {
        "layout": "stock",
        "me": hub.name("bia"),
        "assignment": A,
        "exchange_root": str(root),
        "course_dir": str(root / COURSE),
        "inbound": str(root / COURSE / "inbound"),
        "outbound_assignment": str(root / COURSE / "outbound" / A),
        "other_submission_dir": str(caio_sub),
        "other_submission_file": str(caio_sub / f"{A}.ipynb"),
        "own_submission_timestamp": str(bia_sub / "timestamp.txt"),
        "feedback_dir": str(root / COURSE / "feedback"),
        "other_feedback_file": str(other_feedback),
        "precheck_dir": "",
        "other_home_file": str(hub.home("caio") / A / f"{A}.ipynb"),
    }


def run_as(hub, short, args):
    proc = subprocess.run(
        ["runuser", "-u", hub.name(short), "--", sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def closed_exchange(hub):
    caio_sub, bia_sub = inbound(hub, "caio")[0], inbound(hub, "bia")[0]
    return {
        "layout": "closed",
        "me": hub.name("bia"),
        "assignment": A,
        "exchange_root": str(hub.exchange.parent),
        "course_dir": str(hub.exchange),
        "inbound": str(hub.exchange / "inbound"),
        "outbound_assignment": str(hub.exchange / "outbound" / A),
        "other_submission_dir": str(caio_sub),
        "other_submission_file": str(caio_sub / f"{A}.ipynb"),
        "own_submission_timestamp": str(bia_sub / "timestamp.txt"),
        "feedback_dir": str(hub.exchange / "feedback"),
        "other_feedback_file": str(hub.exchange / "feedback" / hub.name("caio") / A / "x" / f"{A}.html"),
        "precheck_dir": str(hub.state / "service" / "precheck"),
        "other_home_file": str(hub.home("caio") / A / f"{A}.ipynb"),
    }


def modes(config):
    def mode(path):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return "—"
        owner = _owner(st)
        return f"{stat.filemode(st.st_mode)} {owner if owner in ('root', 'grading account') else 'student'}"

    keys = [
        "exchange_root",
        "course_dir",
        "inbound",
        "outbound_assignment",
        "other_submission_dir",
        "other_submission_file",
        "feedback_dir",
        "other_feedback_file",
    ]
    return {k: mode(config[k]) for k in keys}


def _owner(st):
    import pwd

    try:
        name = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        return str(st.st_uid)
    return "grading account" if name.endswith("-grader") else name


def test_closed_exchange_refuses_every_student_path_the_stock_one_allows(hub, caio, bia):
    tmp_path = hub.plan.home_base.parent / "attacks"  # where the student accounts can read (pytest's tmp: 0700)
    tmp_path.mkdir(mode=0o755)
    wait_precheck(caio)
    closed_cfg, stock_cfg = closed_exchange(hub), stock_exchange(hub, tmp_path)
    closed = run_attacks(hub, "bia", closed_cfg, tmp_path)
    stock = run_attacks(hub, "bia", stock_cfg, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rows = ["| attack (as a real student account) | stock nbgrader exchange | closed exchange |", "|---|---|---|"]
    rows += [f"| {k} | {stock[k]} | {closed[k]} |" for k in closed]
    rows += ["", "| path | stock | closed |", "|---|---|---|"]
    stock_modes, closed_modes = modes(stock_cfg), modes(closed_cfg)
    rows += [f"| {k} | {stock_modes[k]} | {closed_modes[k]} |" for k in stock_modes]
    (ARTIFACTS / "exchange-permissions.md").write_text("\n".join(rows) + "\n")
    allowed = {k: v for k, v in closed.items() if not v.startswith("denied")}
    assert not allowed, allowed
    # The same attempts succeed on the stock exchange (so this test can tell the two apart).
    for k in (
        "read another's submission (exact name)",
        "overwrite another's submission",
        "symlink into inbound",
        "rewrite own submission after submit",
        "move the course folder",
        "read another's feedback (exact name)",
    ):
        assert stock[k].startswith("ALLOWED"), (k, stock[k])
    # Neither exchange lets students list inbound or write the release; homes are private in both.
    for k in ("list inbound", "write into outbound", "read another's home"):
        assert stock[k].startswith("denied") and closed[k].startswith("denied"), k


# --------------------------------------------------------------------------- collect, grade, final feedback


def test_ta_collects_autogrades_releases_feedback_and_only_caio_gets_it(hub, caio):
    ta = hub.session("ta")
    fg = f"/services/{COURSE}/formgrader/api"
    r = ta.post(f"{fg}/assignment/{A}/collect").json()
    assert r["success"], r
    r = ta.post(f"{fg}/submission/{A}/{hub.name('caio')}/autograde").json()
    assert r["success"], r
    scores = {s["student"]: s["score"] for s in ta.get(f"{fg}/submissions/{A}").json() if s["autograded"]}
    assert scores[hub.name("caio")] == 3.0, scores
    for action in ("generate_feedback", "release_feedback"):
        r = ta.post(f"{fg}/assignment/{A}/{hub.name('caio')}/{action}").json()
        assert r["success"], (action, r)
    (released,) = (hub.exchange / "feedback" / hub.name("caio") / A).glob(f"*/{A}.html")
    assert stat.S_IMODE(released.stat().st_mode) == 0o600

    listed = assignment_action(caio, "fetch_feedback")
    assert listed["success"], listed
    (local,) = (hub.home("caio") / A / "feedback").glob(f"*/{A}.html")
    assert "Criando tensores" in local.read_text()
    assert local.stat().st_uid == os.stat(hub.home("caio")).st_uid  # written by caio's own server
    bia = hub.session("bia")
    assert bia.get(f"/services/autograder/api/feedback/{COURSE}/{A}").json() == {"feedback": []}
