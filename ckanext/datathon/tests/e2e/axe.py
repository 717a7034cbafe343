"""axe-core in the browser tests: inject ``node_modules/axe-core/axe.min.js``
(from the repository's package.json, installed by scripts/install.sh) into
the page and run it.

``serious_violations(page, where)`` returns the serious and critical
violations of *our* markup.  Every node axe reports falls in one of three
groups:

* core: CKAN's own markup on the page (``CORE_MARKUP``: the account bar,
  masthead and footer, the select2 widget of the autocomplete module) -- or,
  with ``ours_only``, anything outside that selector (a core page carrying one
  block of ours);
* known: a violation of ours listed in ``KNOWN`` with the reason it is not
  fixed yet (a test cannot fix templates);
* ours: everything else -- the tests assert there is none.

Core and known ones are written to ``.artifacts/axe/report.txt``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[4]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
REPORT = REPO / ".artifacts" / "axe" / "report.txt"
SERIOUS = ("serious", "critical")

# WCAG 2.1 A and AA, plus axe's best practices (landmarks, headings, ...).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

CORE_MARKUP = (
    ".account-masthead, header.masthead, footer.site-footer, .select2-container, .select2-dropdown"
)

# (rule id, selector of the element, why it is still there)
KNOWN: list[tuple[str, str, str]] = [
    (
        "label-content-name-mismatch",
        "nav[aria-label^='Filter by'] a",
        "challenge/index.html uses core's snippets/facet_list.html, whose links are labelled "
        "'Search datasets by <facet>: <label cut at 22 characters>' while showing the cut label; "
        "fix: a facet snippet of ours (or label_function, which disables the cut)",
    ),
    (
        "color-contrast",
        ".datathon-banner .btn-outline-danger",
        "team/snippets/state_banner.html: the red outline 'Withdraw' button on the blue "
        "alert-info background of a draft is below 4.5:1",
    ),
]

_CLASSIFY = """([targets, core, inverse, known]) => targets.map(([rule, target]) => {
    const el = document.querySelector(target[target.length - 1]);
    if (!el) return "ours";
    const inside = !!el.closest(core);
    if (inverse ? !inside : inside) return "core";
    for (const [id, selector] of known) {
        if (id === rule && el.closest(selector)) return "known";
    }
    return "ours";
})"""


@cache
def _source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (scripts/install.sh does it)")
    return AXE_JS.read_text()


def run(page: Any) -> list[dict[str, Any]]:
    """All axe violations of the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_source())
    return page.evaluate(
        "async (options) => (await axe.run(document, options)).violations", RUN_OPTIONS
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and element: impact, rule id, selector, HTML."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            html = " ".join(node["html"].split())[:200]
            lines.append(f"{violation['impact']}: {violation['id']} at {target}: {html}")
    return "\n".join(lines)


def classify(
    page: Any, violations: list[dict[str, Any]], ours_only: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Violations grouped as ours, core and known (see the module's docstring)."""
    pairs = [(v["id"], node["target"]) for v in violations for node in v["nodes"]]
    labels = iter(
        page.evaluate(
            _CLASSIFY,
            [pairs, ours_only or CORE_MARKUP, bool(ours_only), [k[:2] for k in KNOWN]],
        )
    )
    groups: dict[str, list[dict[str, Any]]] = {"ours": [], "core": [], "known": []}
    for violation in violations:
        by_group: dict[str, list[Any]] = {}
        for node in violation["nodes"]:
            by_group.setdefault(next(labels), []).append(node)
        for group, nodes in by_group.items():
            groups[group].append({**violation, "nodes": nodes})
    return groups


def serious_violations(
    page: Any, where: str = "", ours_only: str | None = None
) -> list[dict[str, Any]]:
    """The serious and critical violations of our markup on the page; those of
    core's markup and the known ones are appended to the report."""
    groups = classify(page, [v for v in run(page) if v["impact"] in SERIOUS], ours_only)
    if groups["core"] or groups["known"]:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        with REPORT.open("a") as report:
            report.write(f"## {where or page.url}\n")
            for group in ("known", "core"):
                if groups[group]:
                    report.write(f"# {group}\n{describe(groups[group])}\n")
    return groups["ours"]
