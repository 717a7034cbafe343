"""Response headers shared by pages (``views/``) and downloads (``formats/``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def no_store(response: Any) -> Any:
    """Mark a confidential response ``Cache-Control: private, no-store`` and
    nothing else: CKAN's after-request hook marks every response it was not
    told about ``public, max-age=...`` (only rendering a template tells it),
    so it is told here (``__no_cache__``), as a template would."""
    tk.request.environ["__no_cache__"] = True
    response.headers.pop("Cache-Control", None)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
