"""What the portal serves besides pages: iCalendar, Atom, JSON-LD, DCAT, CSV
and the export bundle.  Each module renders what it is handed; it reaches
data through actions only (the import contracts in ``setup.cfg``)."""
