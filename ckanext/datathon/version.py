"""The version of ckanext-datathon (Semantic Versioning, read as CHANGELOG.md says).

Between releases it is the next version with a ``.devN`` suffix (PEP 440), so a
wheel built from an unreleased checkout never claims to be the last release.
``setup.py`` reads this file without importing the package.
"""

__version__ = "0.2.0.dev0"
