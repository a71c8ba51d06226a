"""The closed exchange as nbgrader exchange plugins (``c.ExchangeFactory.*``).

Students' side (their single-user servers: Assignment List, ``nbgrader fetch_assignment/submit/
list/fetch_feedback``): ``Hub*`` classes talk to the hub service ``autograder``
(``autograder.hub.service``) with the hub token of the student's own server
(``JUPYTERHUB_API_TOKEN``); the service knows who they are from the hub. They
never read or write the exchange folder, which students cannot even enter.

Course side (the grading account, in the formgrader service): ``Closed*``
classes are nbgrader's own with closed permissions: the course's exchange
folder and everything in it are the grading account's, mode 0700/0600 (stock
nbgrader makes the exchange root 0777, inbound 2733, each submission 0777 and
feedback world-readable by hashed name). Collect keeps only submissions that
the service wrote (owned by the grading account, not links); feedback is
released per student, for the service to hand to that student only.

Configuration: ``autograder.hub.deploy`` writes both ``nbgrader_config.py`` files.
"""

import base64
import glob
import hashlib
import json
import os
import shutil
import stat
import tempfile
import urllib.error
import urllib.request

from nbgrader.exchange import ExchangeError
from nbgrader.exchange.default import (
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from traitlets import Unicode, default
from traitlets.config import LoggingConfigurable

from .store import UnsafePath, check_name, split_relpath

TIMEOUT_S = 120


# ---------------------------------------------------------------------------- students' side


class HubClient(LoggingConfigurable):
    """Requests to the ``autograder`` service as the owner of this server's hub token."""

    service_url = Unicode(help="URL of the autograder hub service, ending in /services/autograder/").tag(config=True)

    @default("service_url")
    def _service_url_default(self):
        return os.environ.get("AUTOGRADER_EXCHANGE_URL", "")

    def call(self, method, path, data=None):
        token = os.environ.get("JUPYTERHUB_API_TOKEN")
        if not self.service_url or not token:
            self.fail(
                "Troca fechada: este servidor não foi iniciado pelo JupyterHub do curso "
                "(faltam AUTOGRADER_EXCHANGE_URL ou JUPYTERHUB_API_TOKEN)."
            )
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(
            self.service_url.rstrip("/") + "/" + path,
            data=body,
            method=method,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error")
            except ValueError:
                message = None
            self.fail(message or f"troca fechada: HTTP {exc.code}")
        except (urllib.error.URLError, OSError) as exc:
            self.fail(f"Troca fechada indisponível ({exc}); tente de novo em instantes.")

    def start(self):
        # the stock start checks that the exchange folder is world-writable: not ours
        self.set_timestamp()
        self.init_src()
        self.init_dest()
        return self.copy_files()

    def need_course(self):
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")


def local_dir(exchange, course_id, assignment_id):
    if exchange.path_includes_course:
        return os.path.join(exchange.assignment_dir, course_id, assignment_id)
    return os.path.join(exchange.assignment_dir, assignment_id)


def write_files(dest, files, only_missing=False):
    """Write {relative path: bytes} below ``dest`` (in the student's own process and folder)."""
    for relpath, data in files.items():
        parts = split_relpath(relpath)
        path = os.path.join(dest, *parts)
        if only_missing and os.path.lexists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


class HubFetchAssignment(HubClient, ExchangeFetchAssignment):
    def init_src(self):
        self.need_course()
        answer = self.call("GET", f"api/release/{self.coursedir.course_id}/{self.coursedir.assignment_id}")
        self.files = {k: base64.b64decode(v) for k, v in answer["files"].items()}
        self.src_path = f"{self.service_url}api/release/{self.coursedir.course_id}/{self.coursedir.assignment_id}"

    def copy_files(self):
        exists = os.path.isdir(self.dest_path)
        try:
            write_files(self.dest_path, self.files, only_missing=exists)
        except UnsafePath as exc:
            self.fail(str(exc))
        self.log.info("Fetched as: %s %s", self.coursedir.course_id, self.coursedir.assignment_id)


class HubSubmit(HubClient, ExchangeSubmit):
    def init_dest(self):
        self.need_course()
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)

    def copy_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            staged = os.path.join(tmp, "a")
            try:  # nbgrader's own ignore/include/size rules, as a stock submit
                self.do_copy(self.src_path, staged)
            except RuntimeError as exc:
                self.fail(str(exc))
            files = {}
            for dirpath, dirnames, filenames in os.walk(staged):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    path = os.path.join(dirpath, name)
                    if name.startswith(".") or os.path.islink(path):
                        continue
                    with open(path, "rb") as f:
                        files[os.path.relpath(path, staged)] = base64.b64encode(f.read()).decode()
            answer = self.call(
                "POST", f"api/submit/{self.coursedir.course_id}/{self.coursedir.assignment_id}", {"files": files}
            )
            self.timestamp = answer["timestamp"]
            cache_path = os.path.join(
                self.cache_path, f"{answer['student']}+{self.coursedir.assignment_id}+{self.timestamp}"
            )
            os.makedirs(self.cache_path, exist_ok=True)
            shutil.copytree(staged, cache_path)
        with open(os.path.join(cache_path, "timestamp.txt"), "w") as fh:
            fh.write(self.timestamp)
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id, self.coursedir.assignment_id, self.timestamp)
        self.log.info("Correção prévia: %s", answer["precheck"]["message"])


class HubList(HubClient, ExchangeList):
    """Released assignments from the service; submitted ones from the local cache (as stock), with the
    availability of feedback asked from the service."""

    def start(self):
        if self.inbound:
            self.fail("Troca fechada: só a conta de correção do curso lista o inbound.")
        if self.remove:
            self.fail("Troca fechada: remover envios não é possível.")
        return HubClient.start(self)

    def init_dest(self):
        if self.cached:
            return ExchangeList.init_dest(self)
        answer = self.call("GET", "api/assignments")
        self.released = [
            a
            for a in answer["assignments"]
            if (not self.coursedir.course_id or a["course_id"] == self.coursedir.course_id)
            and (not self.coursedir.assignment_id or a["assignment_id"] == self.coursedir.assignment_id)
        ]

    def copy_files(self):
        return self.list_files()

    def parse_assignments(self):
        if self.cached:
            return self.with_feedback(ExchangeList.parse_assignments(self))
        out = []
        for a in self.released:
            info = {"course_id": a["course_id"], "assignment_id": a["assignment_id"]}
            path = local_dir(self, a["course_id"], a["assignment_id"])
            if os.path.exists(path):
                info["status"], info["path"] = "fetched", os.path.abspath(path)
                notebooks = sorted(glob.glob(os.path.join(path, "*.ipynb")))
            else:
                info["status"], info["path"] = "released", f"{a['course_id']}/{a['assignment_id']}"
                notebooks = [f"{n}.ipynb" for n in a.get("notebooks", [])]
            info["notebooks"] = [
                {"notebook_id": os.path.splitext(os.path.basename(n))[0], "path": os.path.abspath(n)} for n in notebooks
            ]
            out.append(info)
        return out

    def with_feedback(self, groups):
        for group in groups:
            released = self.call("GET", f"api/feedback/{group['course_id']}/{group['assignment_id']}")["feedback"]
            md5 = {(f["timestamp"], f["notebook_id"]): f["md5"] for f in released}
            for info in group["submissions"]:
                for nb in info["notebooks"]:
                    key = (info["timestamp"], nb["notebook_id"])
                    nb["has_exchange_feedback"] = key in md5
                    nb["feedback_updated"] = bool(
                        nb["has_local_feedback"] and key in md5 and _md5(nb["local_feedback_path"]) != md5[key]
                    )
                nbs = info["notebooks"]
                info["has_exchange_feedback"] = bool(nbs) and all(nb["has_exchange_feedback"] for nb in nbs)
                info["feedback_updated"] = any(nb["feedback_updated"] for nb in nbs)
        return groups


def _md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


class HubFetchFeedback(HubClient, ExchangeFetchFeedback):
    def init_src(self):
        self.need_course()
        answer = self.call("GET", f"api/feedback/{self.coursedir.course_id}/{self.coursedir.assignment_id}?content=1")
        self.feedback = answer["feedback"]
        self.src_path = "(troca fechada)"

    def copy_files(self):
        for f in self.feedback:
            folder = os.path.join(self.dest_path, check_name(f["timestamp"]))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, check_name(f["notebook_id"] + ".html")), "wb") as out:
                out.write(base64.b64decode(f["html"]))
            self.log.info("Fetched feedback: %s", folder)
        if not self.feedback:
            self.log.warning("Nenhum feedback liberado ainda para %s.", self.coursedir.assignment_id)


# ---------------------------------------------------------------------------- the course's side


class Closed:
    """The course's exchange folder belongs to the grading account; nothing in it is for others."""

    def ensure_root(self):
        course = os.path.join(self.root, self.coursedir.course_id or "")
        st = os.lstat(course) if os.path.lexists(course) else None
        if st is None or not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            self.fail(
                f"Troca fechada: {course} deve existir e pertencer a esta conta (crie-a com autograder.hub.deploy)"
            )
        if stat.S_IMODE(st.st_mode) & 0o077:
            self.fail(f"Troca fechada: {course} deve ter modo 0700 (tem {stat.S_IMODE(st.st_mode):o})")

    def ensure_directory(self, path, mode):
        if not os.path.isdir(path):
            os.makedirs(path, 0o700)
        os.chmod(path, 0o700)

    def set_perms(self, dest, fileperms, dirperms):
        super().set_perms(dest, 0o600, 0o700)


class ClosedReleaseAssignment(Closed, ExchangeReleaseAssignment):
    pass


class ClosedList(Closed, ExchangeList):
    """What the formgrader lists (released assignments, inbound), from the folder it owns."""


class ClosedCollect(Closed, ExchangeCollect):
    def init_src(self):
        self.check_owner = False  # the service names each submission after the hub identity
        super().init_src()
        kept = []
        for rec in self.src_records:
            st = os.lstat(os.path.join(self.inbound_path, rec["filename"]))
            if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
                kept.append(rec)
            else:
                self.log.warning("Ignoring %s: not written by the autograder service", rec["filename"])
        self.src_records = kept


class ClosedReleaseFeedback(Closed, ExchangeReleaseFeedback):
    """feedback/<student>/<assignment>/<timestamp>/<notebook>.html, for the service to hand out."""

    def init_dest(self):
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.dest_path = os.path.join(self.course_path, "feedback")
        self.ensure_directory(self.dest_path, 0o700)

    def copy_files(self):
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        for html_file in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            feedback_dir, name = os.path.split(html_file)
            student = os.path.basename(os.path.dirname(feedback_dir))
            if student in excluded:
                continue
            with open(os.path.join(feedback_dir, "timestamp.txt")) as fh:
                timestamp = fh.read().strip()
            try:
                dest = os.path.join(
                    self.dest_path, check_name(student), check_name(self.coursedir.assignment_id), check_name(timestamp)
                )
            except UnsafePath as exc:
                self.log.error("Skipping feedback %s: %s", html_file, exc)
                continue
            os.makedirs(dest, 0o700, exist_ok=True)
            tmp = os.path.join(dest, f".{name}.tmp")
            shutil.copyfile(html_file, tmp)
            os.chmod(tmp, 0o600)
            os.replace(tmp, os.path.join(dest, name))
            self.log.info(
                "Feedback released for student '%s' on '%s/%s' (%s)",
                student,
                self.coursedir.course_id,
                self.coursedir.assignment_id,
                timestamp,
            )


__all__ = [
    "ExchangeError",
    "HubFetchAssignment",
    "HubSubmit",
    "HubList",
    "HubFetchFeedback",
    "ClosedReleaseAssignment",
    "ClosedList",
    "ClosedCollect",
    "ClosedReleaseFeedback",
]
