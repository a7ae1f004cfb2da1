"""The docs say what the code does: every setting with its default, the workflow's every state and
action, the spec as the code cites it; the README stays short; no issue numbers in app code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from config import Config
from domain.lifecycle import workflow
from domain.lifecycle.states import FilingState

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# What counts as app code for "no issue numbers": everything that ships or runs the app (the tests
# have their own history and are not checked here).
APP_CODE = [
    "app.py", "cli.py", "config.py", "models.py", "extensions.py", "i18n.py", "gunicorn.conf.py",
    "Makefile", "pyproject.toml", "openapi.json", "blueprints", "forms", "domain", "demo",
    "templates", "static/app.js", "static/app.css", "migrations", "deploy", "bench", "adapters",
    "runtime.py", "translations/en/LC_MESSAGES/messages.po",
]  # fmt: skip
ISSUE_NUMBER = re.compile(r"\bissues?\s*#?\s*\d", re.IGNORECASE)


def settings() -> dict[str, object]:
    return {name: value for name, value in vars(Config).items() if name.isupper()}


def rows_of(doc: str) -> list[list[str]]:
    """Every Markdown table row of `doc` as its cells (the header and the |---| lines included)."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in doc.splitlines()
        if line.startswith("|")
    ]


def shown_default(value: object) -> str:
    """How configuration.md writes a default: as the environment variable would be written."""
    if isinstance(value, str):
        return "empty" if value == "" else f"`{value}`"
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def test_every_setting_is_in_the_configuration_doc_with_its_default():
    rows = rows_of((DOCS / "configuration.md").read_text(encoding="utf-8"))
    missing, wrong = [], []
    for name, value in settings().items():
        named = [row for row in rows if f"`BEIAN_{name}`" in row[0]]
        if not named:
            missing.append(name)
        elif shown_default(value) not in named[0][1]:
            wrong.append(f"{name}: the doc says {named[0][1]!r}, config.py {shown_default(value)}")
    assert not missing, f"settings of config.Config not in docs/configuration.md: {missing}"
    assert not wrong, f"defaults in docs/configuration.md that differ from config.py: {wrong}"


def test_settings_read_outside_config_are_documented_too():
    """A key read with config.get("X") or config["X"] anywhere in the app is a setting as well."""
    doc = (DOCS / "configuration.md").read_text(encoding="utf-8")
    read = re.compile(r"config(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]+)\"")
    flask_own = {"SECRET_KEY", "TESTING", "WTF_CSRF_FIELD_NAME", "SERVER_NAME"}
    names = set()
    for path in ROOT.rglob("*.py"):
        if {".venv", "tests", "node_modules"} & set(path.relative_to(ROOT).parts):
            continue
        names |= set(read.findall(path.read_text(encoding="utf-8")))
    missing = sorted(name for name in names - flask_own if f"BEIAN_{name}" not in doc)
    assert not missing, f"settings read by the code but not in docs/configuration.md: {missing}"


def test_the_readme_is_what_a_newcomer_reads_first():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150, f"README.md has {len(lines)} lines; the rest belongs in docs/"
    assert max(len(line) for line in lines) <= 200
    headings = [line for line in lines if line.startswith("#")]
    assert not [h for h in headings if ISSUE_NUMBER.search(h)]


def test_no_heading_of_the_docs_carries_an_issue_number():
    found = [
        f"{path.relative_to(ROOT)}: {line}"
        for path in [*DOCS.rglob("*.md"), ROOT / "CHANGELOG.md"]
        if path.name != "DOMAIN.md"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#") and ISSUE_NUMBER.search(line)
    ]
    assert not found


def anchors_of(path: Path) -> set[str]:
    """The anchors GitHub makes of a Markdown file's headings."""
    headings = [line.lstrip("#").strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("#")]  # fmt: skip
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_link_between_the_docs_leads_to_a_file_and_a_heading():
    link = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)")
    broken = []
    for path in [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS.rglob("*.md")]:
        for target, anchor in link.findall(path.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            linked = (path.parent / target) if target else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
            elif anchor and anchor not in anchors_of(linked):
                broken.append(f"{path.relative_to(ROOT)} -> {target}#{anchor}")
    assert not broken


def test_no_issue_numbers_in_app_code():
    found = []
    for entry in APP_CODE:
        base = ROOT / entry
        paths = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
        for path in paths:
            if not path.is_file() or path.suffix in {".mo", ".pyc", ".png", ".ico", ".jpg"}:
                continue
            if "vendor" in path.parts or "__pycache__" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ISSUE_NUMBER.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, (
        "say why, not which issue (history is in git and CHANGELOG.md):\n" + "\n".join(found)
    )


def architecture_diagram() -> str:
    doc = (DOCS / "architecture.md").read_text(encoding="utf-8")
    return doc.split("```mermaid\n", 1)[1].split("```", 1)[0]


def test_the_architecture_doc_shows_the_diagram_the_code_draws():
    assert architecture_diagram() == workflow.mermaid_diagram()


def test_every_state_and_action_of_the_table_is_in_the_diagram():
    drawn = architecture_diagram()
    arrows = {line.strip() for line in drawn.splitlines() if "-->" in line}
    for (state, action), row in workflow.TRANSITIONS.items():
        assert any(
            arrow.startswith(f"{state.value} --> {row.target.value}: {action.value} ")
            for arrow in arrows
        ), f"{state.value} --{action.value}--> {row.target.value} is not drawn"
    for state in FilingState:
        assert re.search(rf"\b{state.value}\b", drawn), state
    for state in workflow.FINAL_STATES:
        assert f"{state.value} --> [*]" in arrows


def checkout_root() -> Path:
    """The main checkout: ROOT itself, or the one a git worktree at ROOT belongs to."""
    marker = ROOT / ".git"
    if marker.is_file() and marker.read_text().startswith("gitdir: "):
        gitdir = Path(marker.read_text().removeprefix("gitdir: ").strip())
        if gitdir.parent.name == "worktrees":  # <main>/.git/worktrees/<name>
            return gitdir.parent.parent.parent
    return ROOT


def test_the_spec_in_docs_is_the_one_the_code_cites():
    shared = checkout_root().parent / "shared" / "DOMAIN.md"
    copy = DOCS / "DOMAIN.md"
    assert copy.is_file(), "docs/DOMAIN.md is the spec the code cites"
    if not shared.is_file():
        pytest.skip(f"{shared} is not here (a clean clone): nothing to compare docs/DOMAIN.md with")
    assert copy.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), (
        f"docs/DOMAIN.md differs from {shared}: copy it again"
    )
