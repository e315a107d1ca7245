"""The traffic of ``make loadtest``: one Locust user class per mix.

Locust runs this file in its own process (``locust -f``), without Django: everything the
users need (session cookies, project ids, search words, the projects each applying
student may apply to) comes from the JSON file that ``devtools.loadtest`` writes and
names in ``LOADTEST_DATA``. The harness names the user classes of each mix on
Locust's command line (``devtools.loadtest.MIXES``). Users wait for nothing between
requests: N users keep N requests in flight, the most N people clicking at once ask.
"""

from __future__ import annotations

import json
import os
import random
import re
from urllib.parse import urlencode

from gevent.pool import Group
from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastHttpSession
from locust.exception import StopUser

with open(os.environ["LOADTEST_DATA"]) as _data:
    DATA = json.load(_data)
#: what a refused form says: the first error of its summary, else the page's title
ERROR_TEXT = re.compile(r'class="form-errors".*?<li>\s*(?:<a [^>]*>)?([^<]+)', re.DOTALL)
PAGE_TITLE = re.compile(r"<title>([^<]+)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

#: what each apply user takes, one pair at a time: (session cookie, project id)
_apply_pairs = iter(DATA.get("apply", []))


class _Visitor(FastHttpUser):
    """Speaks to gunicorn as the compose proxy does after ending TLS: plain http that
    says it came over https, from one client address."""

    abstract = True
    default_headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


class _SignedIn(_Visitor):
    """A user with one of the harness's sessions (the role's ``sessions`` list)."""

    abstract = True
    role = ""

    def on_start(self) -> None:
        self.account = random.choice(DATA[self.role])
        self.client.cookiejar.clear()

    def get(self, path: str, name: str):
        return self.client.get(path, name=name, headers={"Cookie": self.account["cookie"]})


class HealthCheck(_Visitor):
    """The baseline: the cheapest request that touches the database and Redis."""

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")


class Anonymous(_Visitor):
    """Someone who has not signed in: browses, searches, filters, opens projects."""

    @task(4)
    def browse(self) -> None:
        page = random.choice(["", "", "", "?page=2", "?page=3"])
        self.client.get(f"/projects/{page}", name="browse")

    @task(3)
    def search(self) -> None:
        query = urlencode({"q": random.choice(DATA["search_words"])})
        self.client.get(f"/projects/?{query}", name="search")

    @task(3)
    def filter(self) -> None:
        self.client.get(f"/projects/?{random.choice(DATA['filters'])}", name="filter")

    @task(5)
    def project(self) -> None:
        self.client.get(f"/projects/{random.choice(DATA['project_ids'])}/", name="project page")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class Student(_SignedIn):
    role = "students"
    weight = 5

    @task(3)
    def recommendations(self) -> None:
        self.get("/projects/for-you/", "student: recommendations")

    @task(2)
    def applications(self) -> None:
        self.get("/work/applications/", "student: applications")

    @task(3)
    def project(self) -> None:
        self.get(f"/projects/{random.choice(DATA['project_ids'])}/", "student: project page")

    @task(2)
    def browse(self) -> None:
        self.get("/projects/", "student: browse")


class Employer(_SignedIn):
    role = "employers"
    weight = 3

    @task(3)
    def applicants(self) -> None:
        self.get(self.account["applicants"], "employer: applicants")

    @task(1)
    def insights(self) -> None:
        self.get("/insights/employer/", "employer: insights")


class CareerOffice(_SignedIn):
    role = "career_offices"
    weight = 2

    @task(2)
    def dashboard(self) -> None:
        self.get("/insights/career/", "career: dashboard")

    @task(1)
    def dashboard_filtered(self) -> None:
        self.get(f"/insights/career/?{self.account['filter']}", "career: dashboard, filtered")


class Applicant(_Visitor):
    """A student applying through the real form: the form page, then its POST. One pair
    in ten is sent twice at once (a double click): both answers must be the same
    redirect, and the database must hold one application per pair."""

    def on_start(self) -> None:
        # The second submit of a double click leaves on a connection of its own, as a
        # browser's does (one client sending two requests at once may mix up answers).
        self.twin = FastHttpSession(
            base_url=self.host,
            request_event=self.environment.events.request,
            user=self,
            headers=self.default_headers,
        )

    @task
    def apply(self) -> None:
        pair = next(_apply_pairs, None)
        if pair is None:
            raise StopUser()
        cookie, project_id, self.pair = pair["cookie"], pair["project_id"], pair["index"]
        path = f"/work/projects/{project_id}/apply/"
        self.client.cookiejar.clear()
        with self.client.get(
            path, name="apply: form", headers={"Cookie": cookie}, catch_response=True
        ) as form:
            token = CSRF_INPUT.search(form.text or "")
            csrf_cookie = form.headers.get("Set-Cookie", "")
            if not token:
                form.failure(f"no form on {path} (HTTP {form.status_code})")
                return
        csrf = re.search(r"csrftoken=([^;]+)", csrf_cookie)
        cookies = f"{cookie}; csrftoken={csrf.group(1)}" if csrf else cookie
        body = {"csrfmiddlewaretoken": token.group(1), "cover_note": "I would like to help."}
        if pair.get("double"):
            group = Group()
            for client in (self.client, self.twin):
                group.spawn(self._post, client, path, body, cookies, "apply: double submit")
            group.join()
        else:
            self._post(self.client, path, body, cookies, "apply: submit")

    def _post(self, client, path: str, body: dict, cookies: str, name: str) -> None:
        origin = str(self.host).replace("http://", "https://")
        headers = {
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": f"{origin}{path}",
        }
        with client.post(
            path,
            data=urlencode(body),
            name=name,
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code == 302 and "/work/applications/" in location:
                answer.success()
                _accepted.append((self.pair, location))
            else:
                text = answer.text or ""
                said = ERROR_TEXT.search(text) or PAGE_TITLE.search(text)
                answer.failure(
                    f"HTTP {answer.status_code} → {location or 'no redirect'}"
                    + (f": {said.group(1).strip()}" if said else "")
                )


#: (pair index, redirect) of every POST answered with a redirect to an application
_accepted: list[tuple[int, str]] = []


@events.test_stop.add_listener
def _write_accepted(environment, **kwargs) -> None:
    out = os.environ.get("LOADTEST_ACCEPTED")
    if out:
        with open(out, "w") as handle:
            json.dump(_accepted, handle)
