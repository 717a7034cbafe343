"""What alembic cannot do: the steps of ``ckan datathon upgrade``.

``ckan db upgrade -p datathon`` changes the tables; some upgrades also need
CKAN's API, the search index or files an operator keeps (an export of a field
before it goes, a report to act on).  Each module of this package that defines
``STEP`` is one such step.  Steps run in ``order``; each is idempotent (running
the command twice does nothing the second time) and returns the lines it
reports.  Files a step writes go to the command's ``--output-dir``.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["Step", "UpgradeContext", "run", "steps"]


@dataclasses.dataclass(frozen=True)
class UpgradeContext:
    """What a step may use: where to write files, and whether to change nothing."""

    output_dir: Path
    dry_run: bool = False


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    order: int
    summary: str
    run: Callable[[UpgradeContext], list[str]]


def steps() -> list[Step]:
    """Every step of this package, in the order they run."""
    found: list[Step] = []
    for module in pkgutil.iter_modules(__path__):
        step = getattr(importlib.import_module(f"{__name__}.{module.name}"), "STEP", None)
        if isinstance(step, Step):
            found.append(step)
    found.sort(key=lambda step: (step.order, step.name))
    names = [step.name for step in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two upgrade steps share a name: {names}")
    return found


def run(context: UpgradeContext, only: Iterable[str] = ()) -> list[tuple[Step, list[str]]]:
    """Run the steps (those named in ``only`` when given); unknown names raise
    ``KeyError`` before anything runs."""
    available = steps()
    wanted = set(only)
    unknown = wanted - {step.name for step in available}
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    chosen = [step for step in available if not wanted or step.name in wanted]
    context.output_dir.mkdir(parents=True, exist_ok=True)
    return [(step, step.run(context)) for step in chosen]
