"""The shape of the code that the redesign promised, checked on every run: no import cycle among
the app's modules (imports inside functions counted), no view or template that compares a filing's
state, at most 10 modules directly in domain/; the domain free of Flask, SDKs, network clients and
adapters; adapters that know only the ports, the policy and the models; the CLI, the demo and the
workers free of blueprints/; and the domain's packages in a declared order, none importing one
above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PARTS = ("app.py", "cli.py", "config.py", "extensions.py", "models.py", "i18n.py",
             "blueprints", "forms", "domain", "demo", "adapters", "runtime")  # fmt: skip


def app_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the app (not tests, not migrations)."""
    modules = {}
    for part in APP_PARTS:
        path = ROOT / part
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            dotted = ".".join(file.relative_to(ROOT).with_suffix("").parts)
            modules[dotted.removesuffix(".__init__")] = file
    return modules


def imported_names(source: str) -> set[str]:
    """Every module name `source` imports anywhere in its body, functions included (for
    `from a.b import c`: a.b and a.b.c)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def imports_of(file: Path, modules: dict[str, Path]) -> set[str]:
    """The app modules `file` imports anywhere in its body, functions included."""
    return {name for name in imported_names(file.read_text(encoding="utf-8")) if name in modules}


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


# --- the seam to the outside world --------------------------------------------------------------

# What no module of domain/ may import: the web framework and its extensions, the SDKs and network
# clients, and the app's own outer layers (the adapters, the runtime, the web layer, the CLI).
DOMAIN_FORBIDDEN = (
    "flask", "flask_*", "werkzeug", "jinja2", "boto3", "botocore", "alibabacloud_*", "tencentcloud",
    "requests", "httpx", "urllib3", "urllib.request", "http.client", "smtplib", "socket", "ssl",
    "dns", "whois", "adapters", "runtime", "blueprints", "forms", "app", "cli", "demo", "i18n",
)  # fmt: skip
# Plain libraries under a forbidden name: werkzeug.security is password hashing (hashlib), no web.
PLAIN_LIBRARIES = ("werkzeug.security",)
# The only app modules an adapter may import (besides other adapters and third-party libraries).
ADAPTER_ALLOWED = ("domain.ports", "domain.policy", "domain.support.masking", "models", "adapters")
APP_TOP = ("domain", "blueprints", "forms", "demo", "runtime", "adapters", "app", "cli", "config",
           "extensions", "models", "i18n")  # fmt: skip
# The domain's packages from the bottom up: a module may import its own package and any below it,
# never one above (the first group shares one level: they import each other).
DOMAIN_LAYERS = (
    ("domain.errors", "domain.policy", "domain.ports", "domain.support"),
    ("domain.lifecycle",),
    ("domain.audit",),
    ("domain.rulebook",),
    ("domain.filing",),
    ("domain.review",),
    ("domain.duties",),
    ("domain.accounts",),
    ("domain.operator",),
)


def matches(name: str, pattern: str) -> bool:
    """Whether module `name` is `pattern` or inside it (`flask_*`: any module starting flask_)."""
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern or name.startswith(pattern + ".")


def forbidden_in(source: str, forbidden: tuple[str, ...]) -> set[str]:
    """The imports of `source` that match a forbidden pattern (a plain library passes)."""
    return {
        n for n in imported_names(source)
        if any(matches(n, p) for p in forbidden) and not any(matches(n, p) for p in PLAIN_LIBRARIES)
    }  # fmt: skip


def outside_allowed(source: str, allowed: tuple[str, ...]) -> set[str]:
    """The app modules `source` imports that are none of `allowed` (third-party ones pass)."""
    app_names = {n for n in imported_names(source) if any(matches(n, top) for top in APP_TOP)}
    return {n for n in app_names if not any(matches(n, a) for a in allowed)}


def layer_of(module: str, layers: tuple[tuple[str, ...], ...]) -> int | None:
    for level, group in enumerate(layers):
        if any(matches(module, package) for package in group):
            return level
    return None


def upward_imports(
    graph: dict[str, set[str]], layers: tuple[tuple[str, ...], ...]
) -> list[tuple[str, str]]:
    """The edges (importer, imported) from a module to a package above its own."""
    found = []
    for source, targets in graph.items():
        own = layer_of(source, layers)
        for target in targets:
            level = layer_of(target, layers)
            if own is not None and level is not None and level > own:
                found.append((source, target))
    return sorted(found)


def closure(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def app_graph() -> dict[str, set[str]]:
    modules = app_modules()
    return {name: imports_of(file, modules) - {name} for name, file in modules.items()}


def test_the_domain_imports_no_flask_sdk_network_client_or_adapter():
    files = sorted((ROOT / "domain").rglob("*.py"))
    offenders = {
        str(file.relative_to(ROOT)): sorted(forbidden_in(file.read_text("utf-8"), DOMAIN_FORBIDDEN))
        for file in files
    }
    assert len(files) > 50
    assert {file: names for file, names in offenders.items() if names} == {}


def test_the_forbidden_import_check_catches_what_it_should():
    source = (
        "import boto3\nfrom flask import current_app\nimport flask_babel\n"
        "def send():\n    import smtplib\n    from adapters.storage import S3Storage\n"
        "from domain.ports import Storage\nimport hashlib\nimport flaskish\n"
        "from werkzeug.security import check_password_hash\nfrom werkzeug.wrappers import Request\n"
    )
    assert forbidden_in(source, DOMAIN_FORBIDDEN) == {
        "boto3", "flask", "flask.current_app", "flask_babel", "smtplib", "adapters.storage",
        "adapters.storage.S3Storage", "werkzeug.wrappers", "werkzeug.wrappers.Request",
    }  # fmt: skip


def test_adapters_import_only_the_ports_the_policy_and_the_models():
    files = sorted((ROOT / "adapters").rglob("*.py"))
    offenders = {
        str(file.relative_to(ROOT)): sorted(
            outside_allowed(file.read_text("utf-8"), ADAPTER_ALLOWED)
        )
        for file in files
    }
    assert len(files) >= 9
    assert {file: names for file, names in offenders.items() if names} == {}


def test_the_adapter_check_catches_what_it_should():
    source = (
        "import boto3\nfrom domain.ports import Storage\nfrom models import Filing\n"
        "from domain.filing import sms\nfrom runtime import current\nimport config\n"
    )
    assert outside_allowed(source, ADAPTER_ALLOWED) == {
        "domain.filing",
        "domain.filing.sms",
        "runtime",
        "runtime.current",
        "config",
    }


def test_cli_demo_runtime_and_the_workers_need_nothing_from_blueprints():
    """cli.py (with the outbox worker, `outbox work`), demo/ and runtime/ run without the web
    layer: nothing they import, directly or through other modules, is under blueprints/."""
    graph = app_graph()
    starts = [name for name in graph if matches(name, "cli") or matches(name, "demo")
              or matches(name, "runtime")]  # fmt: skip
    assert "cli" in starts and "demo.seed" in starts and "runtime.notify" in starts
    reached = {start: sorted(t for t in closure(graph, start) if matches(t, "blueprints"))
               for start in starts}  # fmt: skip
    assert {start: names for start, names in reached.items() if names} == {}


def test_the_closure_follows_imports_through_other_modules():
    graph = {"cli": {"runtime"}, "runtime": {"runtime.policy"}, "runtime.policy": {"blueprints.x"}}
    assert closure(graph, "cli") == {"runtime", "runtime.policy", "blueprints.x"}


def test_no_domain_module_imports_a_package_above_its_own():
    graph = {name: targets for name, targets in app_graph().items() if matches(name, "domain")}
    packages = {".".join(name.split(".")[:2]) for name in graph if name != "domain"}
    declared = {package for group in DOMAIN_LAYERS for package in group}
    assert packages == declared  # a new package must take its place in the order
    assert upward_imports(graph, DOMAIN_LAYERS) == []


def test_the_layer_check_catches_an_upward_import():
    graph = {
        "domain.support.notify": {"domain.lifecycle.workflow", "domain.ports"},
        "domain.support.outbox": {"domain.audit"},
        "domain.review.reviewing": {"domain.filing.sms", "domain.support.outbox"},
        "domain.errors": {"domain.support.i18n"},
    }
    assert upward_imports(graph, DOMAIN_LAYERS) == [
        ("domain.support.notify", "domain.lifecycle.workflow"),
        ("domain.support.outbox", "domain.audit"),
    ]
