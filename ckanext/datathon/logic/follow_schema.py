"""Moved to ``ckanext.datathon.logic.schema.follow``; kept until 1.0.

The old path is the same module object as the new one (``sys.modules``), so
imports, private names and ``monkeypatch.setattr`` reach the moved code."""

import sys

from ckanext.datathon.logic.schema import follow as _moved

sys.modules[__name__] = _moved
