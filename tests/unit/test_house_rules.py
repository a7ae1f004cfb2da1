"""The shape of the code that the redesign promised, checked on every run: no import cycle among
the app's modules (imports inside functions counted), no view or template that compares a filing's
state, at most 10 modules directly in domain/, and the domain free of Flask but for the outbox
sender and the password hash."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PARTS = ("app.py", "cli.py", "config.py", "extensions.py", "models.py",
             "blueprints", "forms", "domain", "demo")  # fmt: skip


def app_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the app (not tests, not migrations)."""
    modules = {}
    for part in APP_PARTS:
        path = ROOT / part
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            dotted = ".".join(file.relative_to(ROOT).with_suffix("").parts)
            modules[dotted.removesuffix(".__init__")] = file
    return modules


def imports_of(file: Path, modules: dict[str, Path]) -> set[str]:
    """The app modules `file` imports anywhere in its body, functions included."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), or with a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_the_app_modules():
    modules = app_modules()
    graph = {name: imports_of(file, modules) - {name} for name, file in modules.items()}
    assert len(graph) > 60 and sum(map(len, graph.values())) > 200  # the graph was really read
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


STATE_COMPARISON = re.compile(r"\bstate(\.value)?\s*(==|!=|\bin\b|\bnot in\b|\bis\b)")


def test_no_view_or_template_compares_a_filing_state():
    """Views and templates ask the workflow (domain/lifecycle/workflow.py) what a state means."""
    files = [
        *sorted((ROOT / "blueprints").glob("*.py")),
        *sorted((ROOT / "templates").rglob("*.html")),
    ]
    offenders = [
        f"{file.relative_to(ROOT)}:{number}: {line.strip()}"
        for file in files
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if STATE_COMPARISON.search(line)
    ]
    assert len(files) > 40
    assert offenders == []


def test_the_comparison_pattern_catches_what_it_should():
    caught = ['filing.state.value in ("a", "b")', "filing.state == S.draft", "state is S.x",
              "if filing.state not in UPLOAD_STATES"]  # fmt: skip
    assert all(STATE_COMPARISON.search(line) for line in caught)
    assert not STATE_COMPARISON.search("workflow.is_final(filing.state)")


def test_domain_is_a_handful_of_packages():
    flat = sorted(path.name for path in (ROOT / "domain").glob("*.py"))
    packages = sorted(path.parent.name for path in (ROOT / "domain").glob("*/__init__.py"))
    assert len(flat) <= 10, flat
    for package in packages:  # each says in one line what lives there
        docstring = ast.get_docstring(
            ast.parse((ROOT / "domain" / package / "__init__.py").read_text())
        )
        assert docstring and "\n" not in docstring.strip(), package


def test_the_domain_does_not_import_flask():
    allowed = {"domain/support/notify.py", "domain/support/passwords.py"}  # sender, hash method
    importing = {
        str(file.relative_to(ROOT))
        for file in (ROOT / "domain").rglob("*.py")
        if re.search(r"^\s*(from|import) flask", file.read_text(encoding="utf-8"), re.M)
    }
    assert importing <= allowed, importing - allowed
