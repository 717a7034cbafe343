"""Streamed CSV responses, safe to open in a spreadsheet.

* Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return is prefixed with a single quote, so that spreadsheets
  show it as text instead of evaluating it (OWASP "CSV injection").
* A UTF-8 byte order mark opens the file, as the CLI export writes it: Excel
  reads a CSV without one in the system's legacy code page and garbles every
  accent ("EconomÃ­a"); pandas, LibreOffice and Python's ``utf-8-sig`` skip it.
* Streaming: the rows come from an iterator of batches (keyset pages of
  ``challenge_scores_export`` / ``challenge_projects_export``) and are
  written out one batch at a time inside ``stream_with_context``, so the
  request's database session stays usable and a large challenge is never
  held in memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context

from ckanext.datathon.lib.responses import no_store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> str:
    """The text of a cell, neutralised when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_filename(name: str, suffix: str) -> str:
    """A file name made of ``[A-Za-z0-9._-]`` only (no quotes, no path, no
    header injection), e.g. ``movilidad-segura-scores.csv``."""
    stem = _UNSAFE_FILENAME.sub("-", name).strip(".-")[:100] or "export"
    return f"{stem}-{suffix}.csv"


def _lines(
    header: Sequence[str],
    batches: Iterable[list[dict[str, Any]]],
    row: Callable[[dict[str, Any]], Sequence[Any]],
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([safe_cell(h) for h in header])
    yield BOM + flush()
    for batch in batches:
        for item in batch:
            writer.writerow([safe_cell(v) for v in row(item)])
        yield flush()


def csv_response(
    filename: str,
    header: Sequence[str],
    batches: Iterable[list[dict[str, Any]]],
    row: Callable[[dict[str, Any]], Sequence[Any]],
    *,
    private: bool = False,
) -> Response:
    """A streamed ``text/csv`` attachment: ``row(item)`` gives the cells of
    each item of each batch."""
    response = Response(
        stream_with_context(_lines(header, batches, row)),
        content_type="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        # Per viewer or confidential: no shared cache keeps it, no browser stores it.
        no_store(response)
    # Otherwise public content: CKAN's own policy (public, ckan.cache_expires).
    return response
