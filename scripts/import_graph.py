"""The import graph of ckanext.datathon, read with grimp (the graph that
import-linter checks): modules, floors, arrows, import loops, and the arrows
between the layers of pyproject.toml's layers contract.

    .venv/ckan-2.12.0/bin/python scripts/import_graph.py [--modules] [--arrows]

A module's floor: 1 for a module that imports no module of the package, else
one above the highest module it imports (modules of an import loop share a
floor).  Tests and migrations are left out.  An arrow "runs back up" when it
goes from a lower layer of the contract to a higher one (the contract forbids
it, so the count is 0 while `make lint` passes)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import grimp
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ckanext.datathon"
LEFT_OUT = (f"{PACKAGE}.tests", f"{PACKAGE}.migration")


def _kept(module: str) -> bool:
    return not any(module == p or module.startswith(p + ".") for p in LEFT_OUT)


def _is_shim(module: str) -> bool:
    path = ROOT / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return path.is_file() and "sys.modules[__name__] = " in path.read_text()


def _layers() -> list[list[str]]:
    """The layers contract's layers, top first, each a list of module names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for contract in config["contracts"]:
        if contract["type"] == "layers":
            (container,) = contract["containers"]
            return [
                [f"{container}.{name.strip()}" for name in layer.replace("|", ":").split(":")]
                for layer in contract["layers"]
            ]
    return []


def _layer_of(module: str, layers: list[list[str]]) -> int | None:
    for index, layer in enumerate(layers):
        if any(module == name or module.startswith(name + ".") for name in layer):
            return index
    return None


def _loops(modules: set[str], arrows: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in arrows[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(modules):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", action="store_true", help="list every module with its floor")
    parser.add_argument("--arrows", action="store_true", help="list every arrow")
    args = parser.parse_args()

    graph = grimp.build_graph(PACKAGE, exclude_type_checking_imports=True)
    shims = sorted(m for m in graph.modules if _kept(m) and _is_shim(m))
    modules = {m for m in graph.modules if _kept(m)} - set(shims)
    arrows = {
        m: {t for t in graph.find_modules_directly_imported_by(m) if t in modules} for m in modules
    }
    arrows = {m: {t for t in targets if t != m} for m, targets in arrows.items()}

    loops = _loops(modules, arrows)
    group = {m: m for m in modules}
    for loop in loops:
        for member in loop:
            group[member] = loop[0]
    floor: dict[str, int] = {}

    def floor_of(node: str, seen: frozenset[str] = frozenset()) -> int:
        key = group[node]
        if key in floor:
            return floor[key]
        members = [m for m in modules if group[m] == key]
        below = [t for m in members for t in arrows[m] if group[t] != key]
        value = 1 + max((floor_of(t) for t in below), default=0)
        floor[key] = value
        return value

    for module in modules:
        floor_of(module)

    layers = _layers()
    between: Counter[tuple[int, int]] = Counter()
    upward = []
    for source, targets in arrows.items():
        for target in targets:
            a, b = _layer_of(source, layers), _layer_of(target, layers)
            if a is None or b is None or a == b:
                continue
            between[(a, b)] += 1
            if a > b:
                upward.append((source, target))

    arrow_count = sum(len(t) for t in arrows.values())
    print(f"package {PACKAGE} (tests, migrations and {len(shims)} shims left out)")
    print(f"modules: {len(modules)}")
    print(f"floors: {max(floor.values(), default=0)}")
    print(f"arrows (direct imports between modules): {arrow_count}")
    print(f"import loops: {len(loops)}")
    for loop in loops:
        print("  loop: " + ", ".join(loop))
    print(f"arrows that run back up across the contract's layers: {len(upward)}")
    for source, target in sorted(upward):
        print(f"  {source} -> {target}")
    print("\nlayers (pyproject.toml, top first): modules, arrows down to each lower layer")
    counts: dict[int, int] = defaultdict(int)
    unlayered = []
    for module in modules:
        where = _layer_of(module, layers)
        if where is None:
            unlayered.append(module)
        else:
            counts[where] += 1
    for number, layer in enumerate(layers):
        names = " : ".join(name.removeprefix(PACKAGE + ".") for name in layer)
        down = ", ".join(
            f"{between[(number, other)]} to {other + 1}"
            for other in range(number + 1, len(layers))
            if between[(number, other)]
        )
        print(f"  {number + 1}. {names}: {counts[number]} modules; arrows {down or 'none'}")
    outside = ", ".join(sorted(u.removeprefix(PACKAGE + ".") for u in unlayered))
    print(f"  not in a layer: {len(unlayered)} ({outside})")
    if shims:
        print(f"\nshims at old paths ({len(shims)}): " + ", ".join(shims))
    if args.modules:
        print("\nmodules by floor, top first")
        for module in sorted(modules, key=lambda m: (-floor[group[m]], m)):
            print(f"  {floor[group[module]]:2}  {module}")
    if args.arrows:
        print("\narrows")
        for source in sorted(arrows):
            for target in sorted(arrows[source]):
                print(f"  {source} -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
