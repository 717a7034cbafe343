"""Whether the plugin mails: ``ckanext.datathon.notifications`` (default on)
and a mail server named by the portal (``mail_configured``).

What the mails say is ``lib.mail``; who gets them and the sending, through
CKAN's background jobs, is ``logic.jobs`` (the actions only queue a job).
The header helpers stay here under their old names.
"""

from __future__ import annotations

import configparser
import functools
import os

import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.lib.mail import NAME_MAX, SUBJECT_MAX, header_text

__all__ = ["NAME_MAX", "SUBJECT_MAX", "enabled", "header_text", "mail_configured"]

SMTP_SERVER_DEFAULT = "localhost"  # CKAN's declared default of smtp.server


def enabled() -> bool:
    return config.notifications() and mail_configured()


def mail_configured() -> bool:
    """Whether the portal names a mail server.  CKAN declares ``smtp.server``
    with the default ``localhost``, so the value alone does not tell: it
    counts when it differs from that default, or is given by the
    ``CKAN_SMTP_SERVER`` environment variable or in the config file itself
    (write ``smtp.server = localhost`` to use a local MTA)."""
    server = tk.config.get("smtp.server")
    if not server:
        return False
    if server != SMTP_SERVER_DEFAULT or os.environ.get("CKAN_SMTP_SERVER"):
        return True
    return _in_config_file("smtp.server")


@functools.lru_cache(maxsize=8)
def _file_keys(path: str) -> frozenset[str]:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return frozenset()
    if not parser.has_section("app:main"):
        return frozenset()
    return frozenset(parser.options("app:main"))


def _in_config_file(key: str) -> bool:
    path = tk.config.get("__file__")
    return isinstance(path, str) and bool(path) and key in _file_keys(path)
