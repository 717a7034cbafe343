"""The guard that keeps harvested copies read-only.

A challenge with a ``datathon_harvested_challenge`` row is a copy of another
portal's challenge (``logic/federation.py``): registration, teams, judging and
every edit stay on the source portal, so every write action of ours calls
:func:`refuse_copy` on the challenge it is about to change.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.datathon.model import HarvestedChallenge

# the context key with which the harvester's own writes pass the guard (a
# context key, so no API call can set it)
HARVEST_CONTEXT_KEY = "datathon_harvest"


def copy_of(challenge_id: Any) -> HarvestedChallenge | None:
    if not isinstance(challenge_id, str) or not challenge_id:
        return None
    return model.Session.get(HarvestedChallenge, challenge_id)


def refuse_copy(context: Context, challenge: Any) -> None:
    """``NotAuthorized`` (saying where it is changed) when ``challenge`` (a
    Challenge or its id) is a harvested copy; the harvester's writes pass."""
    if challenge is None or context.get(HARVEST_CONTEXT_KEY):
        return
    row = copy_of(challenge if isinstance(challenge, str) else challenge.id)
    if row is not None:
        raise tk.NotAuthorized(
            tk._(
                "This challenge is a copy harvested from {site}: it is read-only here, "
                "and changed on its source portal."
            ).format(site=row.remote_site_url)
        )
