"""Our Jupyter server extension for the course (``autograder.lab``), on top of nbgrader 0.9's.

1. **A responsive server while grading.** nbgrader's formgrader runs
   autograde, feedback, collect, release... synchronously inside the request
   handler, so the whole Jupyter server (file browser, kernels, every other
   request) freezes until a submission is graded. Its Validate handler does
   the same while it runs a student's notebook. Here the same handlers answer
   the same URLs with the same JSON, but the work runs in a separate worker
   process (``autograder.lab.worker``) that the handler awaits: the event loop
   keeps serving. Formgrader jobs run one at a time, in order (one gradebook
   writer); Validate has its own worker.

2. **nbgrader 0.9.x front-end bugs**, fixed by serving corrected copies of two
   static files at their usual URLs (the originals stay untouched in
   site-packages; if a future nbgrader changes them, the fix simply steps aside):

   - *Validate: "Cannot check version: TypeError ..."* (jupyter/nbgrader#1866,
     #1883): the Validate button's code finds its button with
     ``getElementsByTagName("jp-button")[0]`` and throws inside the version-check
     callback where the toolbar renders something else (reported with
     JupyterLab/Notebook 4.1/7.1). The pinned JupyterLab 4.6 renders
     ``<jp-button>``, so it does not bite here; the fix, harmless, accepts
     ``jp-button`` or ``button``.
   - *Formgrader links outside the iframe*: opened in its own browser tab (the
     way to use it under JupyterHub >= 4.1, see the README), formgrader's
     links to assignment folders are ``/tree/<path>``, without the server's
     base URL (``/user/<name>/``), so they 404 (jupyter/nbgrader#1794). The
     fix points them at ``<base_url>/lab/tree/<path>``.

Enabled by `make lab` and the browser tests (``ServerApp.jpserver_extensions``);
``python -m autograder.lab --stock`` leaves it off, for comparison.
"""

import asyncio
import base64
import itertools
import json
import logging
import os
import pickle
import re
import sys
from pathlib import Path

import nbgrader
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.formgrader import apihandlers
from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
from nbgrader.server_extensions.validate_assignment.handlers import ValidateAssignmentHandler
from tornado import web

try:  # jupyter_server >= 2.13
    from jupyter_server.auth.decorator import allow_unauthenticated
except ImportError:  # pragma: no cover

    def allow_unauthenticated(method):
        return method


log = logging.getLogger("autograder.lab")  # the server's log once loaded
NBGRADER_ROOT = Path(nbgrader.__file__).resolve().parent


# --------------------------------------------------------------------------- worker


class Worker:
    """One long-lived ``python -m autograder.lab.worker``; requests run one at a time, in order."""

    def __init__(self, name):
        self.name = name
        self.proc = None
        self.lock = asyncio.Lock()
        self.ids = itertools.count(1)

    async def _ensure(self):
        if self.proc is None or self.proc.returncode is not None:
            # Its own session: a Ctrl+C in the server's terminal must not kill a grading half-way;
            # it exits when the server closes its stdin.
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "autograder.lab.worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=64 * 2**20,
                start_new_session=True,
            )
            log.info("autograder.lab: %s worker started (pid %s)", self.name, self.proc.pid)

    async def call(self, request):
        async with self.lock:
            await self._ensure()
            request = dict(request, id=next(self.ids))
            try:
                self.proc.stdin.write((json.dumps(request) + "\n").encode())
                await self.proc.stdin.drain()
                line = await self.proc.stdout.readline()
                answer = json.loads(line)
            except (OSError, ValueError) as exc:  # the worker died (killed, out of memory)
                await self._kill()
                return {"success": False, "error": f"autograder.lab worker failed: {exc!r}"}
            return answer["result"]

    async def _kill(self):
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None


WORKERS = {}


def worker(name):
    if name not in WORKERS:
        WORKERS[name] = Worker(name)
    return WORKERS[name]


# --------------------------------------------------------------------------- formgrader actions


def offloaded(base, method):
    """``base`` (a formgrader API handler) with its POST awaiting ``NbGraderAPI.<method>`` in the worker."""

    class Handler(base):
        @web.authenticated
        @check_xsrf
        @check_notebook_dir
        async def post(self, *args):
            formgrader = self.settings["nbgrader_formgrader"]
            formgrader.load_config_file()  # what the stock handler's `self.api` does, on every request
            request = {
                "kind": "api",
                "method": method,
                "args": list(args),
                "config": base64.b64encode(pickle.dumps(formgrader.config)).decode(),
                "root": self.coursedir.root,
                "cwd": os.getcwd(),
                "log_level": formgrader.log.getEffectiveLevel(),
            }
            result = await worker("formgrader").call(request)
            self.write(json.dumps(result))

    Handler.__name__ = Handler.__qualname__ = "Offloaded" + base.__name__
    return Handler


#: formgrader's URL -> (its handler, the NbGraderAPI method it calls); arguments come from the URL
FORMGRADER_ACTIONS = [
    (r"/formgrader/api/assignment/([^/]+)/assign", apihandlers.AssignHandler, "generate_assignment"),
    (r"/formgrader/api/assignment/([^/]+)/unrelease", apihandlers.UnReleaseHandler, "unrelease"),
    (r"/formgrader/api/assignment/([^/]+)/release", apihandlers.ReleaseHandler, "release_assignment"),
    (r"/formgrader/api/assignment/([^/]+)/collect", apihandlers.CollectHandler, "collect"),
    (
        r"/formgrader/api/assignment/([^/]+)/generate_feedback",
        apihandlers.GenerateAllFeedbackHandler,
        "generate_feedback",
    ),
    (r"/formgrader/api/assignment/([^/]+)/release_feedback", apihandlers.ReleaseAllFeedbackHandler, "release_feedback"),
    (
        r"/formgrader/api/assignment/([^/]+)/([^/]+)/generate_feedback",
        apihandlers.GenerateFeedbackHandler,
        "generate_feedback",
    ),
    (
        r"/formgrader/api/assignment/([^/]+)/([^/]+)/release_feedback",
        apihandlers.ReleaseFeedbackHandler,
        "release_feedback",
    ),
    (r"/formgrader/api/submission/([^/]+)/([^/]+)/autograde", apihandlers.AutogradeHandler, "autograde"),
]


class OffloadedValidateHandler(ValidateAssignmentHandler):
    """nbgrader's Validate (it runs the student's notebook in a kernel), awaited in a worker."""

    @web.authenticated
    async def post(self):
        try:
            path = self.get_argument("path")
        except web.MissingArgumentError:
            path = self.get_json_body()["path"]
        request = {"kind": "validate", "path": path, "root_dir": self.root_dir, "cwd": os.getcwd()}
        output = await worker("validate").call(request)
        if "error" in output and "value" not in output:
            output = {"success": False, "value": output["error"]}
        self.finish(json.dumps(output))


# --------------------------------------------------------------------------- static-file fixes

#: Validate button: JupyterLab >= 4.1 toolbars render <button>, not <jp-button>
VALIDATE_BUG = re.compile(r'getElementsByTagName\("jp-button"\)\[0\]')
VALIDATE_FIX = 'querySelector("jp-button,button")'

#: formgrader outside the iframe: links without the base URL, to notebook-classic routes
LINK_BUG = """        var prefix = {
            notebook: "/notebooks/",
            file: "/edit/",
            directory: "/tree/"
        }[type];"""
LINK_FIX = """        // autograder.lab: the server's base URL, and JupyterLab's route for files and folders
        var prefix = base_url + "/lab/tree/";
        path = path.replace(/^(\\.\\/)+/, "");"""


def patched_static_files():
    """{path relative to the base URL: corrected text} for the nbgrader files that need it."""
    files = {}
    lab_static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    for chunk in sorted(lab_static.glob("*.js")) if lab_static.is_dir() else []:
        text = chunk.read_text()
        if VALIDATE_BUG.search(text):
            files[f"lab/extensions/@jupyter/nbgrader/static/{chunk.name}"] = VALIDATE_BUG.sub(VALIDATE_FIX, text)
    utils = NBGRADER_ROOT / "server_extensions" / "formgrader" / "static" / "js" / "utils.js"
    if utils.exists() and LINK_BUG in (text := utils.read_text()):
        files["formgrader/static/js/utils.js"] = text.replace(LINK_BUG, LINK_FIX)
    return files


class PatchedStaticHandler(JupyterHandler):
    """Serves a corrected copy of one static file (public, like the original)."""

    def initialize(self, text, content_type):
        self.text = text
        self.content_type = content_type

    def check_xsrf_cookie(self):
        pass

    @allow_unauthenticated
    def get(self):
        self.set_header("Content-Type", self.content_type)
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.text)


# --------------------------------------------------------------------------- loading


def _jupyter_server_extension_points():
    return [{"module": "autograder.lab.extension"}]


def _load_jupyter_server_extension(serverapp):
    global log
    log = serverapp.log
    webapp = serverapp.web_app
    base_url = webapp.settings["base_url"]
    enabled = serverapp.jpserver_extensions
    handlers = []
    if enabled.get("nbgrader.server_extensions.formgrader"):
        handlers += [
            (url_path_join(base_url, pattern), offloaded(base, method)) for pattern, base, method in FORMGRADER_ACTIONS
        ]
    if enabled.get("nbgrader.server_extensions.validate_assignment"):
        handlers.append((url_path_join(base_url, "/assignments/validate"), OffloadedValidateHandler))
    offloaded_count = len(handlers)
    for rel, text in patched_static_files().items():
        if rel.startswith("formgrader/") and not enabled.get("nbgrader.server_extensions.formgrader"):
            continue
        handlers.append(
            (
                re.escape(url_path_join(base_url, rel)),
                PatchedStaticHandler,
                {"text": text, "content_type": "application/javascript; charset=UTF-8"},
            )
        )
    if not handlers:
        return
    # Ahead of every other rule, whatever order the extensions load in: the same URLs as nbgrader's.
    # (tornado's add_handlers inserts the new rule just before the last one.)
    webapp.add_handlers(".*$", handlers)
    rules = webapp.default_router.rules
    rules.insert(0, rules.pop(len(rules) - 2))
    serverapp.log.info(
        "autograder.lab: %d nbgrader action(s) run in a worker process; %d static file(s) corrected",
        offloaded_count,
        len(handlers) - offloaded_count,
    )


load_jupyter_server_extension = _load_jupyter_server_extension  # older jupyter_server name
