"""The plugin's pages: one module per blueprint (``challenge``, ``engagement``,
``hub``, ``idea``, ``jury``, ``mail``, ``open``, ``team``), ``base.py`` for what they share,
``forms.py`` for the form conversions, the request guards (``csrf``,
``host_guard``, ``text_guard``).  Blueprint and endpoint names are unchanged:
portals' template overrides use them."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The blueprints the plugin registers (``@tk.blanket.blueprints``).

    Imported here, not at the top: ``views.base`` is imported by helpers and
    formats, which need none of the pages."""
    from ckanext.datathon.views import challenge, engagement, hub, idea, jury, mail, open, team

    return [
        challenge.challenge,
        engagement.datathon_engagement,
        hub.datathon_hub,
        open.datathon_open,
        idea.ideas,
        jury.jury,
        team.team,
        mail.datathon_mail,
    ]
