"""House rules for the tests themselves: files named after the feature they test, shared code in
tests/helpers/ (never imported from a conftest or from another test module), unit tests that need no
app, and no history (issue numbers, "v2", "trial") in names or text: history belongs in git."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# Fixtures that build the app or reach its database (tests/conftest.py, tests/security/conftest.py,
# tests/browser/conftest.py): a test asking for one is no unit test.
APP_FIXTURES = {"app", "client", "app_config", "database_url", "make_user", "make_filing",
                "applicant", "login", "world", "live_app", "live_server", "page"}  # fmt: skip
APP_MODULES = {"app", "tests.helpers.app", "extensions"}
# What a file name says about when it was written, not about what it tests.
HISTORY_IN_NAME = re.compile(r"(^|_)(v\d+|ux|trials?|issues?\d*|iteration|round\d*|new_user)(_|$)")
HISTORY_IN_TEXT = re.compile(r"\b(issue|iteration)\s+#?\d", re.IGNORECASE)


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(tree: ast.AST, path: Path) -> list[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    names = []
    package = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]  # `from tests import x`
    return names


def test_no_test_imports_a_conftest_or_another_test_module():
    offenders = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module in imported_modules(tree, path):
            last = module.rsplit(".", 1)[-1]
            if module.startswith("tests") and (last == "conftest" or last.startswith("test_")):
                offenders.append(f"{path.relative_to(TESTS)} imports {module}")
    assert offenders == [], "shared code goes to tests/helpers/"


def test_shared_code_lives_in_tests_helpers():
    """Outside tests/helpers/ a module under tests/ is a test module, a conftest or a package."""
    strays = [
        str(path.relative_to(TESTS))
        for path in python_files()
        if path.parent.name != "helpers"
        and not path.name.startswith("test_")
        and path.name not in ("conftest.py", "__init__.py")
    ]
    assert strays == []


def test_test_files_are_named_after_features():
    dated = [
        str(path.relative_to(TESTS))
        for path in python_files()
        if HISTORY_IN_NAME.search(path.stem.removeprefix("test_").removesuffix("_in_chromium"))
    ]
    assert dated == []


def test_no_issue_numbers_in_the_tests():
    found = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in python_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HISTORY_IN_TEXT.search(line)
    ]
    assert found == []


def fixtures_asked_for(tree: ast.Module) -> dict[str, set[str]]:
    """Each test of a module and the fixtures it asks for, through the module's own fixtures."""
    functions = {
        node.name: {arg.arg for arg in node.args.args}
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }

    def reach(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        found = set(functions.get(name, ()))
        for argument in functions.get(name, ()):
            if argument in functions and argument not in seen:
                found |= reach(argument, seen | {name})
        return found

    return {name: reach(name) for name in functions if name.startswith("test_")}


def test_unit_tests_need_no_app():
    """tests/unit/ holds what runs without the app or its database; the rest lives in tests/domain/
    (services with the database), tests/web/ (requests), tests/db/, tests/security/, tests/browser/."""
    offenders = []
    for path in sorted((TESTS / "unit").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, fixtures in fixtures_asked_for(tree).items():
            if fixtures & APP_FIXTURES:
                offenders.append(f"{path.name}::{name} uses {sorted(fixtures & APP_FIXTURES)}")
        for module in imported_modules(tree, path):
            if module in APP_MODULES or module.startswith("app."):
                offenders.append(f"{path.name} imports {module}")
    assert offenders == []
