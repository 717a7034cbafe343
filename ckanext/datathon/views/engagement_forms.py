"""HTML form <-> action data for the mentorship and impact pages.

Session times are entered and shown in the challenge's time zone: browsers
send ``datetime-local`` values without a zone, this module attaches the
challenge's, so the actions only ever see aware date-times (stored in UTC).
"""

from __future__ import annotations

from typing import Any

from ckanext.datathon.views.forms import aware, local, zone

MENTORSHIP_FIELDS = ("title", "starts", "ends", "location", "url", "mentors", "description")
IMPACT_FIELDS = ("date", "kind", "title", "description", "url", "project", "datasets")


def mentorship_from_form(form: Any, timezone: str | None) -> dict[str, Any]:
    tz = zone(timezone)
    data = {key: form.get(key, "") for key in MENTORSHIP_FIELDS}
    data["starts"] = aware(data["starts"], tz, blank="")
    data["ends"] = aware(data["ends"], tz, blank="")
    return data


def mentorship_values(session: dict[str, Any], timezone: str | None) -> dict[str, Any]:
    """Form values of a stored session (API shape)."""
    tz = zone(timezone)
    values = dict(session)
    values["starts"] = local(session.get("starts"), tz)
    values["ends"] = local(session.get("ends"), tz)
    mentors = session.get("mentors")
    values["mentors"] = "\n".join(mentors) if isinstance(mentors, list) else mentors or ""
    return values


def impact_from_form(form: Any) -> dict[str, Any]:
    return {key: form.get(key, "") for key in IMPACT_FIELDS}


def impact_values(entry: dict[str, Any]) -> dict[str, Any]:
    """Form values of a stored entry (API shape)."""
    values = dict(entry)
    project = entry.get("project")
    values["project"] = project.get("id", "") if isinstance(project, dict) else project or ""
    datasets = entry.get("datasets")
    values["datasets"] = (
        ", ".join(d["name"] for d in datasets if isinstance(d, dict))
        if isinstance(datasets, list)
        else datasets or ""
    )
    return values
