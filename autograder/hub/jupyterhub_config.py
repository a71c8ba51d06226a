"""JupyterHub configuration for the course (``jupyterhub -f autograder/hub/jupyterhub_config.py``).

Reads ``$AUTOGRADER_HUB_STATE/hub/hub.json``, written by ``autograder.hub.deploy``.
It follows nbgrader's "one class, multiple graders" pattern:

- PAM: the hub's users are the real Unix accounts (on a real server: PAM as
  here, or OAuth, see the README);
- group ``formgrade-<course>`` (instructors, TAs) may open the service
  ``<course>``: a JupyterLab with the formgrader, run as the course's grading
  account with the course as its folder;
- group ``nbgrader-<course>`` (students) may use the service ``autograder``:
  the closed exchange and the feedback on submit; each user's server gets a
  hub token that the service accepts, and the Jupyter config that points
  nbgrader's Assignment List at it.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821

hub = json.loads((Path(os.environ["AUTOGRADER_HUB_STATE"]) / "hub" / "hub.json").read_text())
state, bin_dir, course = Path(hub["state"]), hub["bin"], hub["course_id"]
service, formgrader = hub["service"], course
path = f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"
base_env = dict(hub["env"], PATH=path, LANG="C.UTF-8")

c.JupyterHub.bind_url = f"http://{hub['ip']}:{hub['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub['ports']['hub_api']}"
c.JupyterHub.db_url = f"sqlite:///{state / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "hub" / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [hub["chp"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub['ports']['proxy_api']}"
c.ConfigurableHTTPProxy.pid_file = str(state / "hub" / "proxy.pid")

# Real Unix accounts, checked by PAM (the hub runs as root).
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(hub["instructors"] + hub["tas"] + hub["students"])
c.Authenticator.admin_users = set()

c.JupyterHub.load_groups = {
    hub["staff_group"]: {"users": hub["instructors"] + hub["tas"]},
    hub["students_group"]: {"users": hub["students"]},
}
c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{course}",
        "groups": [hub["staff_group"]],
        "scopes": [f"access:services!service={formgrader}", f"access:services!service={service}"],
    },
    {"name": f"nbgrader-{course}", "groups": [hub["students_group"]], "scopes": [f"access:services!service={service}"]},
    {
        "name": f"{service}-service",
        "services": [service],
        "scopes": [f"read:groups!group={hub['students_group']}", f"read:groups!group={hub['staff_group']}"],
    },
]

c.JupyterHub.services = [
    {  # the course's formgrader: JupyterLab as the grading account, in the course folder
        "name": formgrader,
        "url": f"http://127.0.0.1:{hub['ports']['formgrader']}",
        "command": [
            f"{bin_dir}/jupyterhub-singleuser",
            f"--ServerApp.root_dir={hub['course']}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        "user": hub["grader"],
        "cwd": hub["course"],
        "oauth_no_confirm": True,
        "environment": dict(
            base_env, JUPYTER_CONFIG_DIR=str(state / "jupyter" / "grader"), JUPYTERHUB_DEFAULT_URL="/lab"
        ),
    },
    {  # ours: the closed exchange and the feedback on submit (root: it grades in the sandbox)
        "name": service,
        "url": f"http://127.0.0.1:{hub['ports']['service']}",
        "command": [hub["python"], "-m", "autograder.hub.service"],
        "oauth_no_confirm": True,
        "environment": dict(base_env, AUTOGRADER_HUB_SERVICE_CONFIG=str(state / "service" / "config.json")),
    },
]

c.Spawner.cmd = [f"{bin_dir}/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.args = ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.environment = dict(
    base_env,
    JUPYTER_CONFIG_PATH=str(state / "jupyter" / "users"),  # nbgrader's closed exchange, no formgrader
    JUPYTER_PATH=hub["jupyter_data"],  # our JupyterLab panel ("Correção prévia")
    AUTOGRADER_EXCHANGE_URL=f"http://127.0.0.1:{hub['ports']['service']}/services/{service}/",
)
# The server's own hub token may also call our service (the Assignment List's exchange plugins).
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", f"access:services!service={service}"]
