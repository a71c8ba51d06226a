"""The hub-managed service ``autograder``: the course's closed exchange and the feedback on submit.

JupyterHub starts it (``python -m autograder.hub.service``, as root) and routes
``/services/autograder/`` to it. Who is asking always comes from the hub: an
OAuth cookie (a browser, the JupyterLab panel) or the hub token of the
student's own server (the nbgrader exchange plugins in ``autograder.hub.exchange``).
Course membership comes from the hub's groups (``nbgrader-<course>`` for
students, ``formgrade-<course>`` for instructors and TAs).

- **Closed exchange.** Students never touch the exchange folder (it belongs to
  the course's grading account, mode 0700): released assignments are
  downloaded from here, submissions uploaded here and written by this service
  into ``inbound/`` (new folders and files only, owned by the grading account,
  named after the hub identity), final feedback downloaded from here, each
  student only their own.
- **Feedback on submit.** Each accepted submission is graded at once by the
  engine in its sandbox (``autograder.hub.grading``), at most
  ``precheck_limit`` times per student and assignment in ``precheck_window_s``
  (so the grader is no oracle); the student, and only that student (and the
  course staff), sees the engine's pt-BR messages: ``precheck`` (a page, shown
  in JupyterLab by our panel) and ``api/precheck/...`` (JSON). It is not the
  final grade: that is the instructor's autograde after the deadline.
"""

import asyncio
import base64
import binascii
import datetime
import hashlib
import html
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, web

from ..settings import DEFAULTS
from . import grading, store

log = logging.getLogger("autograder.hub.service")

#: hub user names we accept as student ids (nbgrader splits inbound names on '+')
USER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
ASSIGNMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's default
MAX_FILES, MAX_TOTAL = 100, 50 * 2**20
GROUP_CACHE_S = 5.0


class Config:
    def __init__(self, data):
        self.courses = data["courses"]  # id -> {root, exchange, students_group, staff_group}
        self.state = Path(data["state"])  # root-only folder for pre-check results
        self.precheck_limit = int(data.get("precheck_limit", 3))
        self.precheck_window_s = float(data.get("precheck_window_s", 24 * 3600))
        self.exercise_timeout = float(data.get("exercise_timeout", DEFAULTS.exercise_timeout))
        self.submission_timeout = float(data.get("submission_timeout", grading.PRECHECK_SUBMISSION_TIMEOUT))
        self.workers = int(data.get("grading_workers", 1))

    @classmethod
    def load(cls, path):
        return cls(json.loads(Path(path).read_text()))


def now_timestamp():
    return datetime.datetime.now(datetime.UTC).strftime(TIMESTAMP_FORMAT)


def result_id(timestamp):
    """A sortable file name for one submission's pre-check."""
    dt = datetime.datetime.strptime(timestamp.replace(" UTC", ""), "%Y-%m-%d %H:%M:%S.%f")
    return dt.strftime("%Y%m%dT%H%M%S.%f") + "-" + secrets.token_hex(4)


class Service:
    """State shared by the handlers: configuration, group cache, grading pool."""

    def __init__(self, config):
        self.config = config
        self.groups = {}  # group -> (expires, set of users)
        self.pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="precheck")
        self.api_url = os.environ["JUPYTERHUB_API_URL"].rstrip("/")
        self.api_token = os.environ["JUPYTERHUB_API_TOKEN"]
        config.state.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(config.state, 0o700)

    # ------------------------------------------------------------------ membership (from the hub)

    async def members(self, group):
        cached = self.groups.get(group)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        req = httpclient.HTTPRequest(
            f"{self.api_url}/groups/{group}", headers={"Authorization": f"token {self.api_token}"}
        )
        try:
            resp = await httpclient.AsyncHTTPClient().fetch(req)
            users = set(json.loads(resp.body).get("users", []))
        except httpclient.HTTPClientError as exc:
            if exc.code != 404:
                raise
            users = set()
        self.groups[group] = (time.monotonic() + GROUP_CACHE_S, users)
        return users

    async def role(self, course_id, name):
        course = self.config.courses[course_id]
        if name in await self.members(course["staff_group"]):
            return "staff"
        if name in await self.members(course["students_group"]):
            return "student"
        return None

    # ------------------------------------------------------------------ the exchange folder

    def course_dir(self, course_id):
        return store.Dir.open(self.config.courses[course_id]["exchange"])

    def released(self, course_id):
        try:
            with self.course_dir(course_id) as c, c.sub("outbound") as out:
                return [a for a in out.dirs() if ASSIGNMENT.match(a)]
        except FileNotFoundError:
            return []

    def notebooks(self, course_id, assignment):
        with self.course_dir(course_id) as c, c.sub("outbound") as out, out.sub(assignment) as a:
            return [n[:-6] for n in a.names() if n.endswith(".ipynb")]

    def release_files(self, course_id, assignment):
        with self.course_dir(course_id) as c, c.sub("outbound") as out, out.sub(assignment) as a:
            return a.walk_files(MAX_FILES, MAX_TOTAL)

    def store_submission(self, course_id, assignment, student, files, timestamp):
        """Write inbound/<student>+<assignment>+<timestamp>+<random>/ as the grading account."""
        with self.course_dir(course_id) as c:
            st = c.stat()
            owner = (st.st_uid, st.st_gid)  # the course's grading account owns its exchange folder
            with c.make("inbound", 0o700, owner) as inbound:
                name = f"{student}+{assignment}+{timestamp}+{secrets.token_urlsafe(9).replace('-', 'x')}"
                files = dict(files, **{"timestamp.txt": timestamp.encode()})
                store.write_tree(inbound, name, files, dir_mode=0o700, file_mode=0o600, owner=owner)
        return name

    def feedback(self, course_id, assignment, student, content):
        """Released final feedback for this student: [{timestamp, notebook_id, md5, html?}]."""
        out = []
        try:
            with self.course_dir(course_id) as c, c.sub("feedback") as fb, fb.sub(student) as s, s.sub(assignment) as a:
                for ts in a.dirs():
                    with a.sub(ts) as d:
                        for name in d.names():
                            if not name.endswith(".html"):
                                continue
                            data = d.read(name, 20 * 2**20)
                            item = {"timestamp": ts, "notebook_id": name[:-5], "md5": hashlib.md5(data).hexdigest()}
                            if content:
                                item["html"] = base64.b64encode(data).decode()
                            out.append(item)
        except FileNotFoundError:
            pass
        return out

    # ------------------------------------------------------------------ pre-checks

    def precheck_dir(self, course_id, student, assignment, create=False):
        with store.Dir.open(self.config.state) as root:
            if create:
                with root.make("precheck") as p, p.make(course_id) as c, c.make(student) as s:
                    return s.make(assignment)
            return (
                root.sub("precheck")
                .sub(course_id, close_self=True)
                .sub(student, close_self=True)
                .sub(assignment, close_self=True)
            )

    def results(self, course_id, student, assignment):
        try:
            d = self.precheck_dir(course_id, student, assignment)
        except FileNotFoundError:
            return []
        with d:
            out = []
            for name in reversed(d.names()):
                if name.endswith(".json"):
                    out.append(json.loads(d.read(name, 2**20)))
            return out

    def quota(self, course_id, student, assignment):
        """(pre-checks left in the window, when the next one frees up)."""
        cutoff = time.time() - self.config.precheck_window_s
        used = sorted(
            r["submitted_at"]
            for r in self.results(course_id, student, assignment)
            if r["status"] not in ("limited", "error") and r["submitted_at"] >= cutoff
        )
        left = max(0, self.config.precheck_limit - len(used))
        next_at = None if left else used[0] + self.config.precheck_window_s
        return left, next_at

    def save_result(self, course_id, student, assignment, result):
        with self.precheck_dir(course_id, student, assignment, create=True) as d:
            d.write(result["id"] + ".json", json.dumps(result, ensure_ascii=False).encode())

    def start_precheck(self, course_id, assignment, student, timestamp, files):
        left, next_at = self.quota(course_id, student, assignment)
        rid = result_id(timestamp)
        result = {
            "id": rid,
            "course_id": course_id,
            "assignment": assignment,
            "student": student,
            "timestamp": timestamp,
            "submitted_at": time.time(),
        }
        notebook = files.get(f"{assignment}.ipynb")
        if left <= 0:
            when = datetime.datetime.fromtimestamp(next_at).astimezone().strftime("%d/%m %H:%M")
            result.update(
                status="limited",
                message=(
                    f"Envio recebido, mas sem correção prévia: o limite de {self.config.precheck_limit} "
                    f"correções prévias por tarefa a cada {self.config.precheck_window_s / 3600:g} h foi atingido. "
                    f"A próxima fica disponível em {when}. O envio vale para a nota final."
                ),
            )
        elif notebook is None:
            result.update(status="invalid", message=f"O envio não tem o notebook {assignment}.ipynb.")
        else:
            result.update(status="pending", message="Correção prévia em andamento…")
        self.save_result(course_id, student, assignment, result)
        if result["status"] == "pending":
            root = self.config.courses[course_id]["root"]
            future = self.pool.submit(self.grade, root, assignment, notebook, result)
            future.add_done_callback(lambda f: f.exception() and log.error("pre-check crashed: %r", f.exception()))
        return result

    def grade(self, course_root, assignment, notebook, result):
        from . import grading  # the engine is imported in the worker thread, once

        work = tempfile.mkdtemp(prefix="autograder-precheck-")
        try:
            path = os.path.join(work, f"{assignment}.ipynb")
            with open(path, "wb") as f:
                f.write(notebook)
            try:
                graded = grading.precheck(
                    path,
                    assignment,
                    course_root,
                    exercise_timeout=self.config.exercise_timeout,
                    submission_timeout=self.config.submission_timeout,
                )
                result.update(status="done", message="", **graded)
            except grading.BadSubmission:
                result.update(status="invalid", message="O arquivo enviado não é um notebook válido.")
            except Exception:  # noqa: BLE001 - the grader's failure, never shown as a zero
                log.exception("pre-check of %s/%s failed", result["student"], assignment)
                result.update(
                    status="error",
                    message="A correção prévia falhou por um erro do corretor "
                    "(não do seu código). O envio foi recebido.",
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
            result["finished_at"] = time.time()
            self.save_result(result["course_id"], result["student"], assignment, result)


# ---------------------------------------------------------------------------- handlers


class Base(HubOAuthenticated, web.RequestHandler):
    def initialize(self, service):
        self.service = service

    @property
    def api(self):
        return "/api/" in self.request.path

    def set_default_headers(self):
        # Only our JupyterLab panel (same origin) may frame these pages; no scripts at all.
        self.set_header(
            "Content-Security-Policy",
            "frame-ancestors 'self'; default-src 'self'; script-src 'none'; style-src 'unsafe-inline'",
        )
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code, **kwargs):
        reason = getattr(kwargs.get("exc_info", (None, None))[1], "log_message", None) or self._reason
        if self.api:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": reason}, ensure_ascii=False))
        else:
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(page("Acesso negado" if status_code == 403 else "Erro", f"<p>{html.escape(reason)}</p>"))

    def me(self):
        user = self.get_current_user()
        if not user:
            raise web.HTTPError(403, "Faça login no JupyterHub.")
        name = user.get("name", "")
        if user.get("kind", "user") != "user" or not USER.match(name):
            raise web.HTTPError(403, "Conta não aceita por este serviço.")
        return name

    async def member(self, course_id):
        """(name, role) of the requester in ``course_id``; 404/403 otherwise."""
        name = self.me()
        if course_id not in self.service.config.courses:
            raise web.HTTPError(404, "Disciplina desconhecida.")
        role = await self.service.role(course_id, name)
        if role is None:
            raise web.HTTPError(403, "Você não está inscrito(a) nesta disciplina.")
        return name, role

    def released_or_404(self, course_id, assignment):
        if not ASSIGNMENT.match(assignment) or assignment not in self.service.released(course_id):
            raise web.HTTPError(404, f"A tarefa {assignment} não foi liberada.")

    def json(self, data):
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, ensure_ascii=False))


class MeHandler(Base):
    @web.authenticated
    async def get(self):
        name = self.me()
        courses = {}
        for course_id in self.service.config.courses:
            role = await self.service.role(course_id, name)
            if role:
                courses[course_id] = role
        self.json({"name": name, "courses": courses})


class AssignmentsHandler(Base):
    @web.authenticated
    async def get(self):
        name = self.me()
        out = []
        for course_id in self.service.config.courses:
            if await self.service.role(course_id, name):
                out += [
                    {"course_id": course_id, "assignment_id": a, "notebooks": self.service.notebooks(course_id, a)}
                    for a in self.service.released(course_id)
                ]
        self.json({"assignments": out})


class ReleaseHandler(Base):
    @web.authenticated
    async def get(self, course_id, assignment):
        await self.member(course_id)
        self.released_or_404(course_id, assignment)
        files = self.service.release_files(course_id, assignment)
        self.json({"files": {k: base64.b64encode(v).decode() for k, v in files.items()}})


class SubmitHandler(Base):
    async def post(self, course_id, assignment):
        # Only with the hub token of the student's own server (the nbgrader plugin), never a bare
        # cookie: no other page can make a browser submit in a student's name.
        if not self.request.headers.get("Authorization", "").startswith("token "):
            raise web.HTTPError(403, "Envie pela Assignment List do seu JupyterLab.")
        student, _ = await self.member(course_id)
        self.released_or_404(course_id, assignment)
        try:
            body = json.loads(self.request.body)
            encoded = body["files"]
            if not isinstance(encoded, dict) or not 0 < len(encoded) <= MAX_FILES:
                raise ValueError
            files = {}
            for relpath, b64 in encoded.items():
                store.split_relpath(relpath)
                files[relpath] = base64.b64decode(b64, validate=True)
            if sum(map(len, files.values())) > MAX_TOTAL or "timestamp.txt" in files:
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error, store.UnsafePath):
            raise web.HTTPError(400, "Envio inválido (arquivos, nomes ou tamanho).") from None
        timestamp = now_timestamp()
        name = self.service.store_submission(course_id, assignment, student, files, timestamp)
        log.info("submission %s stored", name)
        precheck = self.service.start_precheck(course_id, assignment, student, timestamp, files)
        self.json(
            {
                "student": student,
                "timestamp": timestamp,
                "precheck": {"status": precheck["status"], "message": precheck["message"]},
            }
        )


class FeedbackHandler(Base):
    @web.authenticated
    async def get(self, course_id, assignment):
        student, _ = await self.member(course_id)
        content = self.get_argument("content", "0") == "1"
        self.json({"feedback": self.service.feedback(course_id, assignment, student, content)})


class PrecheckApiHandler(Base):
    @web.authenticated
    async def get(self, course_id, assignment, student=None):
        name, role = await self.member(course_id)
        student = student or name
        if student != name and role != "staff":
            raise web.HTTPError(403, "Você só pode ver a sua própria correção prévia.")
        if not USER.match(student) or not ASSIGNMENT.match(assignment):
            raise web.HTTPError(404, "Não encontrado.")
        left, next_at = self.service.quota(course_id, student, assignment)
        self.json(
            {
                "student": student,
                "course_id": course_id,
                "assignment": assignment,
                "left": left,
                "limit": self.service.config.precheck_limit,
                "results": self.service.results(course_id, student, assignment),
            }
        )


class PrecheckPageHandler(Base):
    """The student's pre-check results, all assignments: what our JupyterLab panel shows."""

    @web.authenticated
    async def get(self, student=None):
        name = self.me()
        student = student or name
        roles = {c: await self.service.role(c, name) for c in self.service.config.courses}
        if not any(roles.values()):
            raise web.HTTPError(403, "Você não está inscrito(a) em nenhuma disciplina deste serviço.")
        if student != name and "staff" not in roles.values():
            raise web.HTTPError(403, "Você só pode ver a sua própria correção prévia.")
        sections, pending = [], False
        for course_id, role in roles.items():
            if role is None or (student != name and role != "staff"):
                continue
            for assignment in self.service.released(course_id):
                results = self.service.results(course_id, student, assignment)
                if not results:
                    continue
                left, _ = self.service.quota(course_id, student, assignment)
                pending |= any(r["status"] == "pending" for r in results)
                sections.append(render_assignment(assignment, results, left, self.service.config))
        body = (
            "".join(sections)
            or "<p>Nenhum envio ainda. Envie uma tarefa pela <b>Assignment List</b> "
            "(menu Nbgrader) e a correção prévia aparece aqui.</p>"
        )
        intro = (
            "<p class=note>Correção prévia: as verificações ocultas rodam logo após cada envio. "
            "<b>Não é a nota final</b>: ela vem da correção do(a) professor(a) depois do prazo.</p>"
        )
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page(f"Correção prévia — {student}", intro + body, refresh=3 if pending else None))


STATUS = {
    "pending": "em andamento…",
    "done": "concluída",
    "limited": "sem correção prévia (limite)",
    "invalid": "envio inválido",
    "error": "falhou",
}


def render_assignment(assignment, results, left, config):
    e = html.escape
    latest = results[0]
    parts = [
        f"<section><h2>{e(assignment)}</h2>",
        f"<p class=meta>Último envio: {e(latest['timestamp'])} — correção prévia {STATUS[latest['status']]}. "
        f"Restam {left} de {config.precheck_limit} correções prévias "
        f"(janela de {config.precheck_window_s / 3600:g} h).</p>",
    ]
    if latest.get("message"):
        parts.append(f"<p class=msg>{e(latest['message'])}</p>")
    if latest["status"] == "done":
        parts.append(
            f"<p class=total>Total da correção prévia: {latest['score']:g} / {latest['max_score']:g}</p>"
            "<table><tr><th>Exercício</th><th>Pontos</th><th>O que falhou</th></tr>"
        )
        for ex in latest["exercises"]:
            ok = ex["score"] >= ex["max_score"]
            msgs = "".join(f"<li>{e(m)}</li>" for m in ex["messages"]) or "<li class=ok>Tudo certo.</li>"
            parts.append(
                f"<tr class={'ok' if ok else 'fail'}><td>{ex['number']}. {e(ex['title'])}</td>"
                f"<td>{ex['score']:g} / {ex['max_score']:g}</td><td><ul>{msgs}</ul></td></tr>"
            )
        parts.append("</table>")
    older = results[1:]
    if older:
        parts.append(
            "<details><summary>Envios anteriores</summary><ul>"
            + "".join(
                f"<li>{e(r['timestamp'])}: {STATUS[r['status']]}"
                + (f", {r['score']:g} / {r['max_score']:g}" if r["status"] == "done" else "")
                + "</li>"
                for r in older
            )
            + "</ul></details>"
        )
    parts.append("</section>")
    return "".join(parts)


def page(title, body, refresh=None):
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        f'<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">{meta}<title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;margin:1em;font-size:14px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
        "tr.ok td:first-child{border-left:4px solid #2a2}tr.fail td:first-child{border-left:4px solid #c33}"
        ".note{background:#fff8dc;padding:6px}.meta{color:#555}ul{margin:0;padding-left:1.2em}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def make_app(service, prefix):
    course = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,99})"
    name = r"([a-z0-9][a-z0-9._-]{0,63})"
    kw = {"service": service}
    routes = [
        (r"api/me", MeHandler),
        (r"api/assignments", AssignmentsHandler),
        (rf"api/release/{course}/{course}", ReleaseHandler),
        (rf"api/submit/{course}/{course}", SubmitHandler),
        (rf"api/feedback/{course}/{course}", FeedbackHandler),
        (rf"api/precheck/{course}/{course}", PrecheckApiHandler),
        (rf"api/precheck/{course}/{course}/{name}", PrecheckApiHandler),
        (r"precheck/?", PrecheckPageHandler),
        (rf"precheck/{name}", PrecheckPageHandler),
        (r"", PrecheckPageHandler),
    ]
    handlers = [(url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler)]
    handlers += [(url_path_join(prefix, pattern) + "$", h, kw) for pattern, h in routes]
    return web.Application(handlers, cookie_secret=os.urandom(32), max_body_size=64 * 2**20, xsrf_cookies=False)


def main():
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="[autograder.hub.service %(levelname)s %(asctime)s] %(message)s"
    )
    config = Config.load(os.environ["AUTOGRADER_HUB_SERVICE_CONFIG"])
    service = Service(config)
    from urllib.parse import urlparse

    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/autograder/")
    app = make_app(service, prefix)

    async def serve():
        app.listen(url.port, url.hostname)
        log.info(
            "listening on %s%s; courses: %s", os.environ["JUPYTERHUB_SERVICE_URL"], prefix, ", ".join(config.courses)
        )
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
