"""Plumbing below ``logic/``: the challenge timeline, the licence list, the
page-cache store, dates as people read them, activities and mail.  Nothing
here imports ``logic/``, ``views/``, ``formats/`` or ``helpers.py``."""
