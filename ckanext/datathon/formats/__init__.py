"""What the portal serves besides pages: iCalendar, Atom, JSON-LD, DCAT, CSV
and the export bundle.  Each module renders what it is handed and imports
nothing from ``views/`` or ``helpers.py`` (the contracts in ``pyproject.toml``;
the reads that still go around the action layer are listed there)."""
