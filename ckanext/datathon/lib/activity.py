"""Challenge events in the owner organization's activity stream.

Used only when CKAN's ``activity`` plugin is enabled.  Organization streams
are public and CKAN filters activities by permission label only for datasets,
so nothing is recorded while a challenge is a draft: its stream starts when it
is published (or created already published).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p

NEW = "new challenge"
CHANGED = "changed challenge"
PUBLISHED = "published challenge"
DELETED = "deleted challenge"
# a sysadmin took published results back (data: reason, version)
RESULTS_RETRACTED = "retracted challenge results"
# the organizers mailed the teams (data: announcement {id, subject})
ANNOUNCED = "announced to challenge teams"


def record(
    user_id: str | None,
    challenge: Any,
    activity_type: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Add an activity about ``challenge`` to the session (the caller commits);
    ``extra`` goes into its data beside the challenge."""
    if not p.plugin_loaded("activity") or challenge.state == "draft":
        return
    from ckanext.activity.model import Activity

    activity = Activity(
        user_id=user_id or "",
        object_id=challenge.owner_org,
        activity_type=activity_type,
        data={
            "challenge": {
                "id": challenge.id,
                "name": challenge.name,
                "title": challenge.title,
                "state": challenge.state,
            },
            **(extra or {}),
        },
    )
    model.Session.add(activity)
