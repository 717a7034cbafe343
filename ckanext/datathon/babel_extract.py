"""Babel extractor of the texts of our ckanext-scheming schemas.

Scheming passes a plain-string ``label``, ``help_text`` or
``form_placeholder`` through gettext (``scheming_language_text``), so these
texts belong in our catalogue; Babel cannot read YAML by itself.  Used by
``setup.py``'s ``message_extractors`` as
``ckanext.datathon.babel_extract:extract_scheming``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

TRANSLATED_KEYS = frozenset({"label", "repeating_label", "help_text", "form_placeholder"})


def _walk(node: yaml.Node) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in TRANSLATED_KEYS
                and isinstance(value, yaml.ScalarNode)
                and value.value.strip()
            ):
                # exactly as scheming passes it to gettext (a folded ">" text
                # keeps its final newline)
                yield value.start_mark.line + 1, value.value
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def extract_scheming(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extractor protocol: ``(lineno, funcname, message, comments)``."""
    root = yaml.compose(fileobj.read().decode(options.get("encoding", "utf-8")))
    if root is None:
        return
    for lineno, text in _walk(root):
        yield lineno, None, text, []
