"""Federation: challenges of other portals harvested through ckanext-harvest.

``plugin.py`` is the ``datathon_harvester`` plugin (the only module that imports
``ckanext.harvest``); ``client.py`` reads a source portal's API (anonymously,
over http(s), with timeouts and a size cap); ``logic/federation.py`` writes the
copies and keeps their mapping.  See docs/federation.md.
"""
