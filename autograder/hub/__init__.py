"""The course on a real JupyterHub: `make hub` (``python -m autograder.hub``).

- ``deploy``: accounts, course folder, closed exchange and Jupyter configs under a state folder;
- ``accounts``: real Unix accounts (root);
- ``jupyterhub_config.py``: the hub (PAM, groups, roles, the formgrader and ``autograder`` services);
- ``run``: start/stop ``jupyterhub`` (with configurable-http-proxy);
- ``exchange``: nbgrader exchange plugins of the closed exchange;
- ``service``: the hub service ``autograder``: closed exchange and feedback on submit;
- ``grading``: the one module that calls the engine;
- ``store``: link-safe file operations for the privileged service;
- ``jupyter_data/``: the JupyterLab panel "Correção prévia" (a prebuilt extension, no build step).
"""
