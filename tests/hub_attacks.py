"""What a student can try on the exchange's files, run AS that student's real Unix account:

    runuser -u STUDENT -- python tests/hub_attacks.py CONFIG.json

CONFIG names the paths of one exchange layout (closed or stock); each attack
prints "denied" or "ALLOWED: what happened", as JSON on stdout. The tests
run the same script against the closed exchange and nbgrader's stock one.
Every attack names its target exactly: a student who guessed every name right.
"""

import json
import os
import sys


def attempt(fn):
    try:
        detail = fn()
    except (PermissionError, FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
        return f"denied ({exc.__class__.__name__})"
    return f"ALLOWED: {detail}"


def attacks(p):
    me = p["me"]

    def list_inbound():
        return f"sees {len(os.listdir(p['inbound']))} submissions"

    def read_other_submission():
        with open(p["other_submission_file"], "rb") as f:
            return f"read {len(f.read())} bytes of another student's notebook"

    def overwrite_other_submission():
        victim = p["other_submission_file"]
        os.rename(victim, victim + ".gone")  # a writable folder lets anyone replace files in it
        with open(victim, "w") as f:
            f.write("{}")
        return "replaced another student's notebook"

    def symlink_into_inbound():
        link = os.path.join(p["inbound"], f"{me}+{p['assignment']}+2000-01-01 00:00:00.000000 UTC+evil")
        os.symlink(p["other_submission_dir"], link)
        return "planted a link in inbound (collect would copy what it points to)"

    def tamper_own_submission():
        with open(p["own_submission_timestamp"], "w") as f:  # backdate a late submission
            f.write("2000-01-01 00:00:00.000000 UTC")
        return "rewrote its own submission's timestamp after submitting"

    def write_outbound():
        with open(os.path.join(p["outbound_assignment"], "extra.ipynb"), "w") as f:
            f.write("{}")
        return "added a file to the released assignment"

    def replace_course_folder():
        os.rename(p["course_dir"], p["course_dir"] + "-moved")  # and put a fake course in its place
        os.rename(p["course_dir"] + "-moved", p["course_dir"])
        return "moved the course's exchange folder"

    def write_feedback():
        with open(os.path.join(p["feedback_dir"], "forged.html"), "w") as f:
            f.write("<p>nota 100</p>")
        return "wrote a feedback file"

    def read_other_feedback():
        with open(p["other_feedback_file"], "rb") as f:
            return f"read another student's feedback ({len(f.read())} bytes)"

    def read_prechecks():
        if not p.get("precheck_dir"):
            raise FileNotFoundError
        return f"sees {os.listdir(p['precheck_dir'])}"

    def read_other_home():
        with open(p["other_home_file"], "rb") as f:
            return f"read {len(f.read())} bytes in another student's home"

    results = {
        name: attempt(fn)
        for name, fn in [
            ("list inbound", list_inbound),
            ("read another's submission (exact name)", read_other_submission),
            ("overwrite another's submission", overwrite_other_submission),
            ("symlink into inbound", symlink_into_inbound),
            ("rewrite own submission after submit", tamper_own_submission),
            ("write into outbound", write_outbound),
            ("move the course folder", replace_course_folder),
            ("write into feedback", write_feedback),
            ("read another's feedback (exact name)", read_other_feedback),
            ("read pre-check results", read_prechecks),
            ("read another's home", read_other_home),
        ]
    }
    if not p.get("precheck_dir"):
        results["read pre-check results"] = "n/a (no pre-check in this layout)"
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(attacks(json.load(f))))
