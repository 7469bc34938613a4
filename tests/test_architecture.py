"""The layout of docs/architecture.md holds: imports point down the app list, with no circle.

Every module of the product is read with `ast` (no import, no new dependency); each `import`
and `from ... import` naming a project module is an edge, wherever it stands in the file.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Top first: an app may import the apps after it, never one before it (docs/architecture.md).
APPS = [app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app).is_dir()]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imported_names(path: Path, module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in the file. An import in a
    function whose line says `# lazy:` (a heavy dependency loaded on first use) counts as
    a module-level one."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    top_level |= {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and "# lazy:" in lines[node.lineno - 1]
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno, id(node) in top_level))
            # `from . import x` and `from pkg import module` name modules too.
            found += [
                (f"{base}.{alias.name}", node.lineno, id(node) in top_level) for alias in node.names
            ]
    return found


def edges_in(module: str, path: Path, modules) -> list[tuple[str, str, int, bool]]:
    """(importer, imported project module, line, at module level) for one file."""
    result = []
    for name, line, top in imported_names(path, module):
        target = name
        while target and target not in modules:
            target = target.rpartition(".")[0]
        # A package's own modules import it first anyway: not an edge (nor a circle).
        if target and not (module + ".").startswith(target + "."):
            result.append((module, target, line, top))
    return result


def edges() -> list[tuple[str, str, int, bool]]:
    modules = product_modules()
    found = [edge for module, path in modules.items() for edge in edges_in(module, path, modules)]
    return list(dict.fromkeys(found))


def app_of(module: str) -> str:
    return module.split(".")[0]


def upward(found_edges) -> list[str]:
    rank = {app: index for index, app in enumerate(APPS)}
    return [
        f"{importer}:{line} imports {target} ({app_of(target)} is above {app_of(importer)})"
        for importer, target, line, _top in found_edges
        if rank[app_of(target)] < rank[app_of(importer)]
    ]


def circles(found_edges) -> list[list[str]]:
    """Every import circle between modules (one cycle per strongly connected group)."""
    graph: dict[str, set[str]] = {}
    for importer, target, _line, _top in found_edges:
        graph.setdefault(importer, set()).add(target)
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        trail.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, trail)
        trail.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_it_lists_the_apps_from_top_to_bottom():
    assert APPS[0] == "arcachat" and APPS[-1] == "core"
    assert {"metering", "accesscodes", "knowledge", "providers"} <= set(APPS)


def test_it_finds_no_import_up_the_app_list():
    assert upward(edges()) == []


def test_it_finds_no_import_circle():
    assert circles(edges()) == []


def test_it_imports_project_modules_at_module_level_only():
    """A function-level import of our own code hides a circle or an upward import."""
    hidden = [
        f"{importer}:{line} imports {target} inside a function"
        for importer, target, line, top in edges()
        if not top and not importer.endswith(".apps")  # AppConfig.ready() runs once apps load
    ]
    assert hidden == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from metering.models import Ledger\n", "accesscodes.sharing:1 imports metering.models"),
        (
            "def f():\n    from arcachat import views\n",
            "accesscodes.sharing:2 imports arcachat.views",
        ),
    ],
)
def test_it_would_catch_an_upward_import(tmp_path, source, expected):
    """The check itself fails on an upward import, at module level or in a function."""
    fake = tmp_path / "sharing.py"
    fake.write_text(source)
    found = edges_in("accesscodes.sharing", fake, product_modules())
    assert any(message.startswith(expected) for message in upward(found))


def test_it_would_catch_a_circle():
    fake_edges = [("a.x", "a.y", 1, True), ("a.y", "a.z", 1, False), ("a.z", "a.x", 3, True)]
    assert circles(fake_edges) == [["a.x", "a.y", "a.z", "a.x"]]
