"""Actions of the datathon plugin, collected for ``tk.blanket.actions``.

One module per entity; each lists its actions in ``__all__``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p

from . import (
    catalogue,
    challenge,
    follow,
    hub,
    idea,
    impact,
    jury,
    mail,
    mentorship,
    project,
    project_reads,
    team,
)
from .catalogue import *  # noqa: F403
from .challenge import *  # noqa: F403
from .follow import *  # noqa: F403
from .hub import *  # noqa: F403
from .idea import *  # noqa: F403
from .impact import *  # noqa: F403
from .jury import *  # noqa: F403
from .mail import *  # noqa: F403
from .mentorship import *  # noqa: F403
from .project import *  # noqa: F403
from .project_reads import *  # noqa: F403
from .team import *  # noqa: F403

__all__ = [
    *catalogue.__all__,
    *challenge.__all__,
    *follow.__all__,
    *hub.__all__,
    *idea.__all__,
    *impact.__all__,
    *jury.__all__,
    *mail.__all__,
    *mentorship.__all__,
    *project.__all__,
    *project_reads.__all__,
    *team.__all__,
]


def plugin_actions() -> dict[str, Any]:
    """Every action of the plugin (``__all__``) and, when the ``activity``
    plugin is enabled, the chained ``dashboard_activity_list`` and
    ``activity_create`` (chaining an action that does not exist stops CKAN)."""
    from . import labels

    found = {name: globals()[name] for name in __all__}
    if p.plugin_loaded("activity"):
        found["dashboard_activity_list"] = follow.dashboard_activity_list
        found["activity_create"] = labels.activity_create
    return found
