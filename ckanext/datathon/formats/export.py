"""The export bundle of one challenge (``ckan datathon export``).

Everything is read through the actions, as the acting user (anonymous by
default), so ``check_access`` decides what the bundle holds: drafts are "not
found" for those who may not see them, scores are included only for the
challenge's organizers and sysadmins, the ranking and the awards only once the
results are published (or for organizers).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.datathon.formats import csv_export

FORMATS = ("json", "csv", "both")
PAGE = 100  # project_list's maximum page size
RANKING_PAGE = 1000  # challenge_ranking's maximum page size

PROJECT_COLUMNS = (
    "name",
    "title",
    "team_name",
    "submission_status",
    "submitted_at",
    "team_size",
    "code_licence",
    "repository_url",
    "demo_url",
    "private",
    "id",
)
SCORE_COLUMNS = (
    "project_name",
    "project_title",
    "juror_name",
    "criterion_name",
    "max_score",
    "score",
    "comment",
    "modified",
)
RESULT_COLUMNS = (
    "rank",
    "score_rank",
    "score",
    "jurors",
    "project_name",
    "project_title",
    "submitted_at",
    "award_rank",
    "award_title",
    "award_citation",
    "prize_title",
    "prize_amount",
    "prize_currency",
)


# A spreadsheet reads a cell starting with one of these as a formula.
class ExportError(Exception):
    """The export cannot be made (unknown challenge or user); the message says why."""


@dataclass
class Bundle:
    challenge: dict[str, Any]
    acting_user: str | None
    projects: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] | None = None  # None: the user may not see them
    ranking: dict[str, Any] | None = None  # None: not published / not allowed
    awards: list[dict[str, Any]] | None = None
    exported: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "exported": self.exported,
            "acting_user": self.acting_user,
            "challenge": self.challenge,
            "projects": self.projects,
            "scores": self.scores,
            "ranking": self.ranking,
            "awards": self.awards,
        }


def _context(user: str | None) -> Context:
    """A fresh context per call (the actions memoise lookups in it)."""
    return {"user": user or "", "ignore_auth": False}  # type: ignore[typeddict-item]


def _acting_user(name: str | None) -> str | None:
    if name is None:
        return None
    user = model.User.get(name)
    if user is None or user.state != "active":
        raise ExportError(f'User "{name}" not found.')
    return user.name


def _allowed(action: str, user: str | None, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(user), data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _all_projects(user: str | None, challenge_id: str) -> list[dict[str, Any]]:
    projects: list[dict[str, Any]] = []
    while True:
        page = tk.get_action("project_list")(
            _context(user), {"challenge": challenge_id, "limit": PAGE, "offset": len(projects)}
        )
        projects.extend(page["results"])
        if not page["results"] or len(projects) >= page["count"]:
            return projects


def _all_scores(user: str | None, projects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    scores = []
    for project in projects:
        if project["submission_status"] == "draft":
            continue  # drafts are never scored
        result = tk.get_action("project_score_list")(_context(user), {"id": project["id"]})
        for row in result["results"]:
            scores.append(
                {"project_name": project["name"], "project_title": project["title"], **row}
            )
    return scores


def _ranking(user: str | None, challenge_id: str) -> dict[str, Any]:
    ranking: dict[str, Any] | None = None
    while True:
        offset = len(ranking["results"]) if ranking else 0
        page = tk.get_action("challenge_ranking")(
            _context(user), {"id": challenge_id, "limit": RANKING_PAGE, "offset": offset}
        )
        if ranking is None:
            ranking = page
        else:
            ranking["results"].extend(page["results"])
        if not page["results"] or len(ranking["results"]) >= page["count"]:
            return ranking


def collect(challenge_ref: str, user_name: str | None = None) -> Bundle:
    """The bundle of challenge ``challenge_ref`` (id or name) as ``user_name``
    sees it (None: anonymous)."""
    user = _acting_user(user_name)
    try:
        challenge = tk.get_action("challenge_show")(_context(user), {"id": challenge_ref})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        who = f'user "{user}"' if user else "anonymous users"
        raise ExportError(
            f'Challenge "{challenge_ref}" not found (or not visible to {who}).'
        ) from None
    bundle = Bundle(
        challenge=challenge,
        acting_user=user,
        exported=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    )
    bundle.projects = _all_projects(user, challenge["id"])
    if _allowed("datathon_permission_manage_challenge", user, {"id": challenge["id"]}):
        bundle.scores = _all_scores(user, bundle.projects)
    if _allowed("challenge_ranking", user, {"id": challenge["id"]}):
        bundle.ranking = _ranking(user, challenge["id"])
        bundle.awards = tk.get_action("challenge_award_list")(
            _context(user), {"id": challenge["id"]}
        )["results"]
    return bundle


# -- files ----------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: strings are neutralised by
    ``csv_export.safe_cell`` (the web exports' escaping); numbers stay
    numbers; None becomes an empty cell."""
    if isinstance(value, str):
        return csv_export.safe_cell(value)
    return "" if value is None else value


def _result_rows(ranking: dict[str, Any]) -> Iterator[list[Any]]:
    criteria = ranking.get("criteria") or []
    for entry in ranking["results"]:
        award = entry.get("award") or {}
        prize = award.get("prize") or {}
        project = entry["project"]
        yield [
            entry["rank"],
            entry["score_rank"],
            entry["score"],
            entry["jurors"],
            project["name"],
            project["title"],
            project["submitted_at"],
            award.get("rank"),
            award.get("title"),
            award.get("citation"),
            prize.get("title"),
            prize.get("amount"),
            prize.get("currency"),
            *(entry["criteria"].get(c["id"]) for c in criteria),
        ]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    # utf-8-sig: spreadsheets (Excel) then read accents right
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])


def write(bundle: Bundle, directory: Path, fmt: str = "both") -> list[Path]:
    """Write the bundle's files into ``directory`` (created if missing);
    returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt in ("json", "both"):
        path = directory / "challenge.json"
        path.write_text(
            json.dumps(bundle.as_json(), ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        written.append(path)
    if fmt in ("csv", "both"):
        path = directory / "projects.csv"
        _write_csv(
            path,
            PROJECT_COLUMNS,
            ([p.get(c) for c in PROJECT_COLUMNS] for p in bundle.projects),
        )
        written.append(path)
        if bundle.scores is not None:
            path = directory / "scores.csv"
            _write_csv(
                path, SCORE_COLUMNS, ([s.get(c) for c in SCORE_COLUMNS] for s in bundle.scores)
            )
            written.append(path)
        if bundle.ranking is not None:
            path = directory / "results.csv"
            criteria = [f"criterion: {c['name']}" for c in bundle.ranking.get("criteria") or []]
            _write_csv(path, [*RESULT_COLUMNS, *criteria], _result_rows(bundle.ranking))
            written.append(path)
        # an earlier export into the same folder, by a user who saw more,
        # must not leave its files beside this one
        for name in ("scores.csv", "results.csv"):
            if directory / name not in written:
                (directory / name).unlink(missing_ok=True)
    return written
