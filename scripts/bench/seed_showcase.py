"""Migrate ckanext-showcase's tables and create the benchmark's showcase with
the big challenge's datasets.  Runs in the showcase virtualenv:
    .venv/showcase-2.12.0/bin/python scripts/bench/seed_showcase.py INI IDS_JSON
"""

from __future__ import annotations

import json
import sys

from ckan.cli import load_config
from ckan.cli.db import _run_migrations
from ckan.config.middleware import make_app


def main() -> None:
    ini, ids_path = sys.argv[1], sys.argv[2]
    make_app(load_config(ini))
    _run_migrations("showcase")
    from ckan.plugins import toolkit as tk

    with open(ids_path) as f:
        ids = json.load(f)
    context = {"user": ids["admin"], "ignore_auth": True}
    showcase = tk.get_action("ckanext_showcase_create")(
        dict(context),
        {
            "name": "bench-showcase",
            "title": "Women's safety in public transport",
            "notes": "A showcase of mobility data. " * 20,
        },
    )
    for name in ids["showcase_datasets"]:
        tk.get_action("ckanext_showcase_package_association_create")(
            dict(context), {"showcase_id": showcase["id"], "package_id": name}
        )
    print(f"showcase {showcase['name']} with {len(ids['showcase_datasets'])} datasets")


if __name__ == "__main__":
    main()
