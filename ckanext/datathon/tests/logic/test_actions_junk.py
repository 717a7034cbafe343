"""Every action of the plugin, called with junk: the answer is a validation
error, "not found" or "not authorized", never another exception (an API 500).

The actions are read from the plugin's action registry, so a new action is
covered as soon as it exists."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.datathon.logic import action as plugin_actions

EXPECTED = (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)
KEYS = (
    "id",
    "challenge",
    "challenge_id",
    "project",
    "user",
    "username",
    "dataset",
    "dataset_id",
    "q",
)
VALUES = ("\x00", 10**30, -1, ["x"], {"a": 1}, True, "x" * 10_000, "", None, 1.5e308)


def _payloads() -> list[dict]:
    payloads: list[dict] = [{}]
    payloads += [{key: value} for key in KEYS for value in VALUES]
    payloads.append({"id": "nope", "scores": "many", "data_gaps": "x", "timeline": 7})
    payloads.append({"challenge": "nope", "limit": "x", "offset": 10**30, "sort": "; DROP"})
    return payloads


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("action", sorted(plugin_actions.__all__))
def test_junk_never_raises_anything_else(action):
    from ckan.tests import factories

    sysadmin = factories.Sysadmin()
    user = factories.User()
    failures = []
    for who in (sysadmin["name"], user["name"], ""):
        for payload in _payloads():
            try:
                helpers.call_action(action, context={"user": who, "ignore_auth": False}, **payload)
            except EXPECTED:
                pass
            except Exception as error:
                failures.append(f"{who or 'anonymous'} {payload!r:.80}: {error!r:.200}")
            finally:
                model.Session.rollback()
    assert not failures, "\n".join(failures[:20])
