"""Compare the two runs of `make core-compat`.

    python compare.py BASE.json WITH.json EXPECTED_BASE.txt [--update]

BASE.json: outcomes with the companions only; WITH.json: with datathon added
(reports of ckanext/datathon/tests/core_compat.py).  EXPECTED_BASE.txt (one
test a line, committed) is the set that fails without the plugin.

Fails (exit 1) if a test passes without the plugin and fails (or errors) with
it, or if the set that fails without the plugin is not EXPECTED_BASE.txt
(--update rewrites that file instead).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    update = "--update" in argv
    args = [a for a in argv if a != "--update"]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    base = json.loads(Path(args[0]).read_text())
    with_plugin = json.loads(Path(args[1]).read_text())
    expected_path = Path(args[2])
    without = base["outcomes"]
    withp = with_plugin["outcomes"]
    failing = sorted(t for t, o in without.items() if o == "failed")
    regressions = sorted(
        t for t, o in without.items() if o == "passed" and withp.get(t, "passed") != "passed"
    )
    # a run that was interrupted: only the tests both runs reached compare
    unmatched = sorted(set(without) ^ set(withp))
    fixed = sorted(t for t, o in without.items() if o == "failed" and withp.get(t) == "passed")
    counts = {
        name: {o: sum(1 for v in run.values() if v == o) for o in ("passed", "failed", "skipped")}
        for name, run in (("companions", without), ("datathon", withp))
    }
    print(f"core-compat: CKAN {base['ckan']}, {len(without)} tests")
    for name, c in counts.items():
        print(f"  {name:<10} passed {c['passed']}, failed {c['failed']}, skipped {c['skipped']}")
    print(f"  regressions (pass without datathon, fail with it): {len(regressions)}")
    for t in regressions:
        print(f"    {t} ({withp.get(t, 'missing')})")
    if fixed:
        print(f"  fail without datathon, pass with it: {len(fixed)}")
    status = 1 if regressions else 0
    if unmatched:
        print(f"  incomplete: {len(unmatched)} tests ran in one run only (not compared)")
        status = 1
    expected = (
        [line for line in expected_path.read_text().splitlines() if line and line[0] != "#"]
        if expected_path.exists()
        else None
    )
    if update:
        expected_path.write_text(
            f"# core-compat: CKAN {base['ckan']} core tests that fail with the companions\n"
            f"# only ({' '.join(base['plugins'])}), before datathon is added.\n"
            + "".join(f"{t}\n" for t in failing)
        )
        print(f"  base set written: {expected_path} ({len(failing)} tests)")
    elif expected is None or sorted(expected) != failing:
        gone = sorted(set(expected or []) - set(failing))
        new = sorted(set(failing) - set(expected or []))
        print(f"  the base set changed ({expected_path}): {len(new)} new, {len(gone)} gone")
        for t in new:
            print(f"    + {t}")
        for t in gone:
            print(f"    - {t}")
        status = 1
    else:
        print(f"  base set unchanged ({len(failing)} tests)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
