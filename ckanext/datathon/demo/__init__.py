"""Demo content modelled on three real open-data programmes.

1. INFO CDMX's 2023 datathon on public transport, security and women.
2. INFO CDMX's 2024 datathon on the care economy.
3. São Paulo's Department of Education "Pátio Digital" open innovation cycle.

Facts (dates, team caps, prizes, number of projects, allies, outcomes) follow the
public write-ups of those programmes; datasets are small illustrative samples
shipped with the plugin (``public/datathon-demo/``) and labelled as such; people
and project repositories are fictional.  ``seed()`` is idempotent: every object
is looked up by name first, so running it twice gives the same portal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon.demo import content

DEMO_PASSWORD = "Datathon-Demo-2026"  # noqa: S105  (documented demo password)


class Seeder:
    def __init__(self, site_url: str, echo: Any = print) -> None:
        self.site_url = site_url.rstrip("/")
        self.echo = echo
        self.site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        self.created = 0

    def _context(self, user: str | None = None) -> dict[str, Any]:
        return {"user": user or self.site_user, "model": model, "session": model.Session}

    def call(self, action: str, user: str | None = None, **data: Any) -> Any:
        return tk.get_action(action)(self._context(user), data)

    def _exists(self, action: str, name: str) -> dict[str, Any] | None:
        try:
            return self.call(action, id=name)
        except tk.ObjectNotFound:
            return None

    # --- people and organizations --------------------------------------------------

    def user(self, spec: dict[str, Any]) -> dict[str, Any]:
        found = self._exists("user_show", spec["name"])
        if found:
            return found
        self.created += 1
        return self.call("user_create", password=DEMO_PASSWORD, **spec)

    def organization(self, spec: dict[str, Any], admins: list[str]) -> dict[str, Any]:
        org = self._exists("organization_show", spec["name"])
        if org is None:
            self.created += 1
            org = self.call("organization_create", **spec)
        for username in admins:
            self.call("organization_member_create", id=org["id"], username=username, role="admin")
        return org

    def dataset(self, spec: dict[str, Any], org_id: str) -> dict[str, Any]:
        found = self._exists("package_show", spec["name"])
        if found:
            return found
        self.created += 1
        resources = [
            {
                "name": r["name"],
                "url": f"{self.site_url}/datathon-demo/{r['file']}",
                "format": "CSV",
                "description": r.get("description", ""),
            }
            for r in spec.get("resources", [])
        ]
        data = {k: v for k, v in spec.items() if k != "resources"}
        return self.call("package_create", owner_org=org_id, resources=resources, **data)

    # --- challenges ---------------------------------------------------------------

    def challenge(self, spec: dict[str, Any], org_id: str, organizer: str) -> dict[str, Any]:
        """Create (or complete, after an interrupted run) a challenge with its
        links, allies and submitted projects, ending with its real dates."""
        base = {k: v for k, v in spec.items() if k not in ("datasets", "allies", "projects")}
        missing = [
            p for p in spec.get("projects", []) if not self._exists("package_show", p["name"])
        ]
        current = self._exists("challenge_show", spec["name"])
        if current is not None and not missing:
            return current
        now = dt.datetime.now(dt.timezone.utc)
        # Teams register while registration is open: the real (past) dates are
        # set once the projects are in.
        open_window = {
            "registration_opens": (now - dt.timedelta(days=1)).isoformat(),
            "registration_closes": (now + dt.timedelta(days=1)).isoformat(),
            "submission_deadline": (now + dt.timedelta(days=2)).isoformat(),
            "judging_closes": (now + dt.timedelta(days=3)).isoformat(),
            "results_date": (now + dt.timedelta(days=4)).isoformat(),
        }
        data = {**base, **open_window, "state": "active", "timeline": []}
        if current is None:
            self.created += 1
            current = self.call("challenge_create", organizer, owner_org=org_id, **data)
        else:
            current = self.call(
                "challenge_update", organizer, id=current["id"], owner_org=org_id, **data
            )
        for link in spec.get("datasets", []):
            self.call("challenge_dataset_add", organizer, id=current["id"], **link)
        have = {a["name"] for a in current["allies"]}
        for ally in spec.get("allies", []):
            if ally["name"] not in have:
                self.call("challenge_ally_create", organizer, challenge_id=current["id"], **ally)
        for project in missing:
            self.created += 1
            self.project(project, current)
        return self.call("challenge_update", organizer, id=current["id"], owner_org=org_id, **base)

    def project(self, spec: dict[str, Any], challenge: dict[str, Any]) -> None:
        leader = spec["leader"]
        registered = self.call(
            "project_register",
            leader,
            challenge=challenge["id"],
            name=spec["name"],
            title=spec["title"],
            team_name=spec["team_name"],
            notes=spec.get("notes", ""),
            accept_rules=True,
        )
        for member in spec.get("members", []):
            self.call("project_member_add", leader, id=registered["id"], username=member)
        self.call(
            "package_patch",
            leader,
            id=registered["id"],
            repository_url=spec["repository_url"],
            code_licence=spec["code_licence"],
            datasets_used=[{"dataset": name} for name in spec.get("datasets_used", [])],
            team_members=spec.get("team_members", []),
            demo_url=spec.get("demo_url", ""),
        )
        self.call("project_submit", leader, id=registered["id"])

    # --- all ----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        for spec in content.USERS:
            self.user(spec)
        for story in content.STORIES:
            org = self.organization(story["organization"], story["organizers"])
            for spec in story["datasets"]:
                self.dataset(spec, org["id"])
            for spec in story["challenges"]:
                challenge = self.challenge(spec, org["id"], story["organizers"][0])
                self.echo(f"  challenge {challenge['name']}: {challenge['title']}")
        return {"created": self.created}


def seed(site_url: str, echo: Any = print) -> dict[str, Any]:
    return Seeder(site_url, echo).run()
