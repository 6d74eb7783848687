"""The layout the redesign promised, checked on the source tree (`indexer/` and `service/`) with `ast`: no import.

- Size: no module over 300 lines; no function over 60 lines unless its docstring says why it is "one piece"
  (that phrase, any case: a docstring that merely mentions something "long" does not count).
- SQL lives in `indexer/index/` only: no string constant elsewhere holds a SQL keyword (docstrings aside: they
  describe, they do not run).
- Import-time imports among `indexer` modules form no cycle (imports inside functions and under
  `if TYPE_CHECKING:` are left out: they run later, or never).
- One definition each of the passage kinds, the search modes, the sentence splitter, the seek second and the
  transcript format table; and no second copy of the kinds or modes written out as a literal.

A finding in `service/` that its owner has not fixed yet is listed in KNOWN with the reason; an entry that no
longer fires fails the test too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from conftest import REPO

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE)\b")
# where each single definition lives: (what is defined, the one file that may define it)
ONE_HOME = {
    ("assign", "PASSAGE_KINDS"): "indexer/datamodel.py",
    ("assign", "MODES"): "indexer/search/query.py",
    ("def", "sentence_spans"): "indexer/passages/sentences.py",
    ("def", "split_sentences"): "indexer/passages/sentences.py",
    ("def", "seek_second"): "indexer/passages/timing.py",
    ("assign", "FORMATS"): "indexer/ingest/registry.py",
}
# findings in service/ reported to its owner, not yet fixed: (file, what) -> why it is tolerated for now
KNOWN: dict[tuple[str, str], str] = {}


def _sources() -> list[Path]:
    return sorted(p for top in ("indexer", "service") for p in (REPO / top).rglob("*.py"))


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _is(finding: str, known: tuple[str, str]) -> bool:
    """Whether a finding ("file:line: what") is a KNOWN one; line numbers are left out so edits do not stale it."""
    path, what = known
    return finding.startswith(f"{path}:") and what in finding


def _check(found: list[str]) -> None:
    """Fail on the findings not in KNOWN (`test_known_findings_still_fire` fails on KNOWN entries gone stale)."""
    new = [f for f in found if not any(_is(f, known) for known in KNOWN)]
    assert not new, "\n".join(new)


def test_known_findings_still_fire() -> None:
    found = _size_findings() + _sql_findings() + _definition_findings()
    stale = [known for known in KNOWN if not any(_is(f, known) for f in found)]
    assert not stale, f"fixed, so remove from KNOWN: {stale}"


def _size_findings() -> list[str]:
    found = []
    for path in _sources():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{_rel(path)}:1: {lines} lines")
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES and "one piece" not in (ast.get_docstring(node) or "").lower():
                    found.append(f"{_rel(path)}:{node.lineno}: {node.name} is {length} lines")
    return found


def test_module_and_function_size() -> None:
    _check(_size_findings())


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (of the module, classes and functions)."""
    owners = [tree] + [n for n in ast.walk(tree)
                       if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)]
    return {id(o.body[0].value) for o in owners
            if o.body and isinstance(o.body[0], ast.Expr) and isinstance(o.body[0].value, ast.Constant)}


def _sql_findings() -> list[str]:
    found = []
    for path in _sources():
        if _rel(path).startswith("indexer/index/"):
            continue
        tree = _tree(path)
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                    and (m := SQL.search(node.value))):
                found.append(f"{_rel(path)}:{node.lineno}: SQL ({m.group()}) outside indexer/index/")
    return found


def test_sql_only_in_the_index_package() -> None:
    _check(_sql_findings())


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run when the module is imported: not in functions, not under `if TYPE_CHECKING:`."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(stmt, ast.If) and ast.unparse(stmt.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from _import_time_statements(stmt.orelse)
            continue
        yield stmt
        for field in ("body", "orelse", "finalbody"):  # class bodies, try, with, for, while and other ifs
            yield from _import_time_statements(getattr(stmt, field, []))
        for holder in [*getattr(stmt, "handlers", []), *getattr(stmt, "cases", [])]:  # except and case blocks
            yield from _import_time_statements(holder.body)


def _imported(module: str, stmt: ast.stmt, modules: set[str]) -> set[str]:
    """The indexer modules an import statement in `module` runs.

    Those it names (`from pkg import sub` names `pkg` and, when it is a module, `pkg.sub`), and the parent packages
    of a dotted name, except the importer's own: those are mid-import already, so a module importing a sibling
    by its full name is no cycle, while one importing names from its own package's `__init__` is an edge.
    """
    named: list[str] = []
    if isinstance(stmt, ast.Import):
        named = [alias.name for alias in stmt.names]
    elif isinstance(stmt, ast.ImportFrom):
        is_package = (REPO / module.replace(".", "/") / "__init__.py").is_file()
        package = module if is_package else module.rpartition(".")[0]
        for _ in range(stmt.level - 1):
            package = package.rpartition(".")[0]
        base = ".".join(p for p in (package if stmt.level else "", stmt.module or "") if p)
        named = [base] + [f"{base}.{alias.name}" for alias in stmt.names]
    ran = {target for target in named if target in modules}
    ran |= {parent for target in ran for parent in _ancestors(target)
            if parent in modules and parent not in _ancestors(module)}
    ran.discard(module)
    return ran


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def import_graph() -> dict[str, set[str]]:
    """indexer module -> the indexer modules it imports when it is imported."""
    paths = {_module_name(p): p for p in (REPO / "indexer").rglob("*.py")}
    modules = set(paths)
    return {name: {target for stmt in _import_time_statements(_tree(path).body)
                   for target in _imported(name, stmt, modules)}
            for name, path in paths.items()}


def test_no_import_cycle_in_indexer() -> None:
    graph = import_graph()
    assert sum(map(len, graph.values())) > len(graph), "too few imports found: the walk itself is broken"
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # args[1] lists each module before the one that imports it: reversed, it reads
        raise AssertionError("import cycle (each imports the next): " + " -> ".join(reversed(exc.args[1]))) from None


def _definitions(tree: ast.Module) -> Iterator[tuple[tuple[str, str], int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield ("def", node.name), node.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    yield ("assign", target.id), node.lineno


@cache
def _defined_value(name: str) -> frozenset[str]:
    """The strings of a tuple defined once (PASSAGE_KINDS, MODES), read from its home module's source."""
    home = REPO / ONE_HOME[("assign", name)]
    for node in ast.walk(_tree(home)):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    raise AssertionError(f"{name} is not defined in {home}")


def _definition_findings() -> list[str]:
    found = []
    homes_seen = set()
    copies = {name: _defined_value(name) for name in ("PASSAGE_KINDS", "MODES")}
    for path in _sources():
        rel = _rel(path)
        tree = _tree(path)
        for key, line in _definitions(tree):
            if key in ONE_HOME:
                if ONE_HOME[key] == rel:
                    homes_seen.add(key)
                else:
                    found.append(f"{rel}:{line}: {key[1]} is defined here too; its one home is {ONE_HOME[key]}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                values = frozenset(e.value for e in node.elts if isinstance(e, ast.Constant))
                for name, value in copies.items():
                    if values == value and rel != ONE_HOME[("assign", name)]:
                        found.append(f"{rel}:{node.lineno}: a second copy of {name}")
    found += [f"{home}:1: {key[1]} is not defined in its home" for key, home in ONE_HOME.items()
              if key not in homes_seen]
    return found


def test_one_definition_each() -> None:
    _check(_definition_findings())
