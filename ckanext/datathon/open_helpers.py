"""Template helpers of the open pages (JSON-LD embedding, follow button)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datathon.formats import linked_data
from ckanext.datathon.views.base import context as _context


def datathon_challenge_jsonld(challenge: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON-LD document to embed in a challenge page (the same one
    ``/challenge/<name>.jsonld`` serves), or None when it is not published."""
    if challenge.get("state") != "active":
        return None
    return linked_data.challenge_document(challenge)


def datathon_follow_state(challenge_id: str) -> dict[str, Any]:
    """Follower count and whether the current user follows the challenge."""
    context = _context()
    try:
        count = tk.get_action("challenge_follower_count")(context, {"id": challenge_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"count": 0, "following": False, "can_follow": False}
    following = False
    if tk.current_user.is_authenticated:
        # same context: the challenge and the viewer are looked up once
        following = tk.get_action("am_following_challenge")(context, {"id": challenge_id})
    return {
        "count": count,
        "following": following,
        "can_follow": tk.current_user.is_authenticated,
    }
