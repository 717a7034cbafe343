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

from ckanext.datathon.demo import content, live, stages
from ckanext.datathon.model import CONTEST_DATES

DEMO_PASSWORD = "Datathon-Demo-2026"  # noqa: S105  (documented demo password)


class Seeder:
    def __init__(self, site_url: str, echo: Any = print) -> None:
        self.site_url = site_url.rstrip("/")
        self.echo = echo
        self.site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        self.created = 0

    def _context(self, user: str | None = None) -> dict[str, Any]:
        return {"user": user or self.site_user, "model": model, "session": model.Session}

    def call(self, action: str, user: str | None = None, /, **data: Any) -> Any:
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
        links, allies, ideas, mentorship, submitted projects, jury and impact,
        ending with its real dates.

        Teams register, people propose ideas and jurors score while the
        matching window is open: the challenge goes through those windows
        (moved to the present) and gets its real, past dates at the end."""
        name = spec["name"]
        base = {k: v for k, v in spec.items() if k not in ("datasets", "allies", "projects")}
        missing = [
            p for p in spec.get("projects", []) if not self._exists("package_show", p["name"])
        ]
        current = self._exists("challenge_show", name)
        if current is not None and not missing and self._stages_complete(current, organizer):
            return current
        now = dt.datetime.now(dt.timezone.utc)

        def window(*days: float) -> dict[str, str]:
            return {
                key: (now + dt.timedelta(days=offset)).isoformat()
                for key, offset in zip(content_dates(), days, strict=True)
            }

        # registration (and the ideathon: no stage window yet) open now
        data = {**base, **window(-1, 1, 2, 3, 4), "state": "active", "timeline": []}
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
                self.call("challenge_ally_create", organizer, challenge=current["id"], **ally)
        self.ideas(current, organizer)
        self.mentorships(current, organizer)
        for project in missing:
            self.created += 1
            self.project(project, current)
        # judging open: the submission deadline has just passed
        jury = stages.JURIES.get(name)
        if jury and not self._results_published(current, organizer):
            data = {**base, **window(-3, -2, -0.01, 1, 2), "state": "active", "timeline": []}
            self.call("challenge_update", organizer, id=current["id"], owner_org=org_id, **data)
            self.judge(current, organizer, jury)
        self.impact(current, organizer)
        final = self.call("challenge_update", organizer, id=current["id"], owner_org=org_id, **base)
        # published last: once results are published, past dates no longer move
        if jury and not self._results_published(final, organizer):
            self.call("challenge_results_publish", organizer, id=final["id"])
        return final

    # --- stages 2, 7, 8-10 and 11 -------------------------------------------------

    def _stages_complete(self, challenge: dict[str, Any], organizer: str) -> bool:
        name = challenge["name"]
        ideas = self.call("challenge_idea_list", organizer, id=challenge["id"], limit=100)
        sessions = self.call("challenge_mentorship_list", organizer, id=challenge["id"])
        impact = self.call("challenge_impact_list", organizer, id=challenge["id"])
        return (
            len(ideas["results"]) >= len(stages.IDEAS.get(name, []))
            and len(_results(sessions)) >= len(stages.MENTORSHIPS.get(name, []))
            and len(_results(impact)) >= len(stages.IMPACT.get(name, []))
            and (name not in stages.JURIES or self._results_published(challenge, organizer))
        )

    def _results_published(self, challenge: dict[str, Any], organizer: str) -> bool:
        ranking = self.call("challenge_ranking", organizer, id=challenge["id"])
        return bool(ranking.get("published"))

    def ideas(self, challenge: dict[str, Any], organizer: str) -> None:
        listed = self.call("challenge_idea_list", organizer, id=challenge["id"], limit=100)
        have = {idea["title"] for idea in listed["results"]}
        for author, title, description, gaps, voters in stages.IDEAS.get(challenge["name"], []):
            if title in have:
                continue
            self.created += 1
            idea = self.call(
                "challenge_idea_create",
                author,
                challenge=challenge["id"],
                title=title,
                description=description,
                data_gaps=[
                    {"title": gap, "holder": holder, "description": text}
                    for gap, holder, text in gaps
                ],
            )
            for voter in voters:
                self.call("challenge_idea_vote", voter, id=idea["id"])

    def mentorships(self, challenge: dict[str, Any], organizer: str) -> None:
        listed = self.call("challenge_mentorship_list", organizer, id=challenge["id"])
        have = {session["title"] for session in _results(listed)}
        for session in stages.MENTORSHIPS.get(challenge["name"], []):
            if session["title"] not in have:
                self.created += 1
                self.call(
                    "challenge_mentorship_create",
                    organizer,
                    challenge=challenge["id"],
                    **session,
                )

    def judge(self, challenge: dict[str, Any], organizer: str, jury: dict[str, Any]) -> None:
        """Appoint the jury, publish the criteria, score every submitted
        project, give the prizes to the first of the ranking (``challenge``
        publishes the results once the real dates are set)."""
        cid = challenge["id"]
        for juror in jury["jurors"]:
            self.call("challenge_juror_add", organizer, id=cid, user=juror)
        existing = {c["name"]: c for c in _results(self.call("challenge_criterion_list", id=cid))}
        criteria = []
        for position, (name, description, weight, max_score) in enumerate(jury["criteria"]):
            criterion = existing.get(name) or self.call(
                "challenge_criterion_create",
                organizer,
                challenge=cid,
                name=name,
                description=description,
                weight=weight,
                max_score=max_score,
                position=position,
            )
            criteria.append(criterion)
        for project, values in jury["scores"].items():
            for juror in jury["jurors"]:
                self.call(
                    "project_score",
                    juror,
                    project=project,
                    scores=[
                        {"criterion": c["id"], "score": v}
                        for c, v in zip(criteria, values, strict=True)
                    ],
                )
        awarded = {
            a["rank"] for a in _results(self.call("challenge_award_list", organizer, id=cid))
        }
        ranking = _results(self.call("challenge_ranking", organizer, id=cid))
        prizes = sorted(p["rank"] for p in challenge.get("prizes", []))
        for rank, row in zip(prizes[: jury["awards"]], ranking, strict=False):
            if rank not in awarded:
                self.call(
                    "challenge_award_create",
                    organizer,
                    challenge=cid,
                    project=row["project"]["id"],
                    rank=rank,
                    citation=jury["citation"],
                )

    def impact(self, challenge: dict[str, Any], organizer: str) -> None:
        listed = self.call("challenge_impact_list", organizer, id=challenge["id"])
        have = {entry["title"] for entry in _results(listed)}
        for date, kind, title, description, url, project, datasets in stages.IMPACT.get(
            challenge["name"], []
        ):
            if title in have:
                continue
            self.created += 1
            data: dict[str, Any] = {
                "challenge": challenge["id"],
                "date": date,
                "kind": kind,
                "title": title,
                "description": description,
                "url": url,
                "datasets": datasets,
            }
            if project:
                data["project"] = project
            self.call("challenge_impact_create", organizer, **data)

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
            # teams by consent: the leader invites, the member accepts
            answer = self.call("project_member_add", leader, id=registered["id"], user=member)
            if answer.get("status") == "invited":
                self.call("project_invitation_accept", member, id=answer["invitation"]["id"])
        self.call(
            "package_patch",
            leader,
            id=registered["id"],
            repository_url=spec["repository_url"],
            code_licence=spec["code_licence"],
            datasets_used=[{"dataset": name} for name in spec.get("datasets_used", [])],
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
        # two challenges running now: registration open, and judging
        live.seed(self, self.call("organization_show", id="info-cdmx")["id"])
        for spec in live.LIVE:
            self.echo(f"  challenge {spec['name']}: {spec['title']} (dated from today)")
        return {"created": self.created}


def content_dates() -> tuple[str, ...]:
    return CONTEST_DATES


def _results(answer: Any) -> list[dict[str, Any]]:
    """The items of a list action's answer (a list or ``{count, results}``)."""
    return answer["results"] if isinstance(answer, dict) else list(answer)


def seed(site_url: str, echo: Any = print) -> dict[str, Any]:
    return Seeder(site_url, echo).run()
