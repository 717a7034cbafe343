"""The plugin's blueprints, one module each; ``base.py`` holds what they
share and ``forms.py`` the form conversions.  ``@tk.blanket.blueprints``
registers the blueprints listed in ``__all__`` (names and endpoints unchanged:
portals' template overrides use them)."""

from __future__ import annotations

from ckanext.datathon.views.challenge import challenge
from ckanext.datathon.views.engagement import datathon_engagement
from ckanext.datathon.views.idea import ideas
from ckanext.datathon.views.jury import jury
from ckanext.datathon.views.open import datathon_open
from ckanext.datathon.views.team import team

__all__ = ["challenge", "datathon_engagement", "datathon_open", "ideas", "jury", "team"]
