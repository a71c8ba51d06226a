"""A person's browser session on the hub, without a browser: log in with a password, follow OAuth
redirects into services, call JSON APIs with the session's cookies and XSRF token."""

import json
import re
import time

import requests


class HubSession:
    def __init__(self, url, name, password):
        self.url, self.name = url.rstrip("/"), name
        self.s = requests.Session()
        page = self.s.get(f"{self.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        data = {"username": name, "password": password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
        self.login_response = self.s.post(f"{self.url}/hub/login?next=", data=data, timeout=60, allow_redirects=False)

    @property
    def logged_in(self):
        return self.login_response.status_code == 302 and "jupyterhub-session-id" in self.s.cookies

    def xsrf(self, path):
        """The _xsrf cookie for ``path``'s server (set by a first GET there)."""
        for c in self.s.cookies:
            if c.name == "_xsrf" and path.startswith(c.path or "/"):
                return c.value
        return None

    def get(self, path, **kw):
        kw.setdefault("timeout", 120)
        return self.s.get(self.url + path, **kw)

    def post(self, path, data=None, prefix=None, **kw):
        """POST with the XSRF token of the server at ``prefix`` (a first GET there sets it)."""
        prefix = prefix or "/" + "/".join(path.split("/")[1:3]) + "/"
        if self.xsrf(prefix) is None:
            self.get(prefix if not prefix.startswith("/hub/") else "/hub/home")  # OAuth in, as a browser
        token = self.xsrf(prefix)
        headers = {"X-XSRFToken": token} if token else {}
        kw.setdefault("timeout", 600)
        body = None if data is None else json.dumps(data)
        return self.s.post(self.url + path, data=body, headers=headers, **kw)

    def start_server(self, timeout=180):
        """Start this user's single-user server (as the hub's home page's button does); wait for it."""
        r = self.post(f"/hub/api/users/{self.name}/server", prefix="/hub/")
        assert r.status_code in (201, 202, 400), (r.status_code, r.text)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.get(f"/hub/api/users/{self.name}").json()
            if model.get("servers", {}).get("", {}).get("ready"):
                # OAuth into the server (as a browser opening it), which sets its cookie and _xsrf
                r = self.get(f"/user/{self.name}/lab")
                assert r.status_code == 200, (r.status_code, r.url)
                return
            time.sleep(1)
        raise AssertionError(f"{self.name}'s server did not start in {timeout} s")
