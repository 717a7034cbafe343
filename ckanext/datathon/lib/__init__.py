"""Plumbing below ``logic/``: the challenge timeline, the licence list, the
page-cache store, dates as people read them, activities, mail and response
headers.  Nothing here imports ``logic/``, ``views/``, ``formats/`` or
``helpers.py`` (the layers contract in ``pyproject.toml``)."""
