"""Command-line interface: `flask --app app <command>`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_migrate import upgrade

from adapters import rate_limit_store
from demo.seed import DEMO_TOTP_SECRET, is_seeded, seed_demo
from domain.accounts import accounts, throttle
from domain.accounts.accounts import find_user
from domain.duties import checking, footer, gate, resolve
from domain.filing import orders, retention, sms
from domain.lifecycle import stage_counts, workflow
from domain.lifecycle.states import Role
from domain.lifecycle.workdays import shanghai_today
from domain.operator import api_tokens, imports
from domain.review import stale
from domain.rulebook import rule_tables
from domain.rulebook.application import ApplicationFormatError, loads_application
from domain.rulebook.domain_table import DomainImportError, import_domains, parse_domains_csv
from domain.rulebook.filing_type import (
    LOOKUP_CERTIFICATE_TYPES,
    LookupInputError,
    verify_filing_type,
)
from domain.rulebook.precheck import precheck
from domain.rulebook.registry import RegistryImportError, import_registry, parse_registry_csv
from domain.rulebook.seed_tables import seed_rule_tables
from extensions import db
from i18n import gettext
from models import utcnow
from runtime import current, current_policy, notify, ocr_aid, transaction


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(totp_code_command)
    app.cli.add_command(seed_tables_command)
    app.cli.add_command(registry_group)
    app.cli.add_command(filing_group)
    app.cli.add_command(sweep_command)
    app.cli.add_command(workflow_group)
    app.cli.add_command(recount_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(api_token_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(domains_group)
    app.cli.add_command(compliance_group)
    app.cli.add_command(gate_group)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@click.option("--force", is_flag=True, help="Load it outside demo mode too (never in production).")
@with_appcontext
def seed_demo_command(if_empty: bool, force: bool) -> None:
    """Load the demo data: accounts, IP pool, province rules, rule tables, registry, filings.
    Demo mode only (BEIAN_DEMO_MODE=true, as `make run` sets it), unless --force: the demo admin's
    password and second-factor secret are public."""
    if not current_app.config["DEMO_MODE"] and not force:
        raise click.ClickException(
            "seed-demo creates accounts whose passwords and second-factor secret are public: "
            "it runs only in demo mode (BEIAN_DEMO_MODE=true); --force loads it anyway"
        )
    if is_seeded():
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("the database already has accounts; seed an empty database")
    with transaction():
        demo_accounts = seed_demo()
    click.echo("Demo data loaded. Log in with:")
    for email, password, _name, role in demo_accounts:
        click.echo(f"  {role.value:<10} {email:<30} {password}")
    click.echo(
        f"The demo admin also needs a second-factor code: add the TOTP secret {DEMO_TOTP_SECRET}"
        " to an authenticator app, or print the current code with\n"
        "  BEIAN_DEMO_MODE=true flask --app app totp-code admin@demo.beiandesk.cn"
    )


@click.command("totp-code")
@click.argument("email")
@with_appcontext
def totp_code_command(email: str) -> None:
    """Print an account's current second-factor code (demo mode only: BEIAN_DEMO_MODE=true)."""
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("totp-code works only in demo mode (BEIAN_DEMO_MODE=true)")
    user = find_user(email)
    code = (
        accounts.current_totp_code(user, current_app.config["SECRET_KEY"], utcnow())
        if user is not None
        else None
    )
    if code is None:
        raise click.ClickException(f"{email}: no such account with a second factor")
    click.echo(code)


@click.command("seed-tables")
@with_appcontext
def seed_tables_command() -> None:
    """Load the province rules, approved suffixes and deny-lists that are missing (production)."""

    with transaction():
        added = seed_rule_tables()
    click.echo(f"{added} rows added.")


@click.group("registry")
def registry_group() -> None:
    """The provider's copy of the MIIT registry."""


@registry_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--drop-provider", "drop", multiple=True, metavar="WEBSITE_NUMBER",
    help="Confirm that this website held here (approved through this app) loses PROVIDER_CODE as "
    "the file says; without it the code is kept on such a website. Repeat for each.",
)  # fmt: skip
@with_appcontext
def registry_import(csv_file: Path, drop: tuple[str, ...]) -> None:
    """Import a registry CSV (DOMAIN.md A5). All or nothing: a bad row imports nothing."""

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"{csv_file}: not UTF-8; nothing imported", err=True)
        sys.exit(2)
    try:
        with transaction():
            held = orders.held_here(current_policy().provider_code, drop)
            summary = import_registry(parse_registry_csv(text), held=held, hasher=current().hasher)
    except RegistryImportError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        click.echo(f"{csv_file}: {where}{exc.reason}; nothing imported（未导入任何数据）", err=True)
        sys.exit(2)
    click.echo(
        f"subjects: {summary.subjects_created} new, {summary.subjects_updated} changed; "
        f"websites: {summary.websites_created} new, {summary.websites_updated} changed, "
        f"{summary.unchanged} unchanged"
    )
    for held_drop in summary.held_drops:
        if held_drop.dropped:
            click.echo(f"{held_drop.website_number}: provider code removed (confirmed)")
        else:
            click.echo(
                f"{held_drop.website_number}: held here, the file leaves the provider code out; "
                f"kept (confirm with --drop-provider {held_drop.website_number})",
                err=True,
            )


@click.group("filing")
def filing_group() -> None:
    """Check applications and filing types from the command line."""


def _ensure_database() -> None:
    """The rule tables must exist. The embedded SQLite database is migrated on first use (as
    `make run` does); another database must be migrated by its operator."""

    if sa.inspect(db.engine).has_table("province_rules"):
        return
    if db.engine.dialect.name != "sqlite":
        click.echo("error: the database has no tables; run `flask --app app db upgrade`", err=True)
        sys.exit(2)
    click.echo("note: migrating the new SQLite database first", err=True)
    upgrade()


LANG_OPTION = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
    help="Language of the messages.",
)  # fmt: skip


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "zh_Hans_CN"


def _print_json(document: object) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@filing_group.command("precheck")
@click.argument("application_file", type=click.Path(dir_okay=False, path_type=Path))
@LANG_OPTION
@with_appcontext
def filing_precheck(application_file: Path, lang: str) -> None:
    """Pre-check an A2 application JSON file. Exit 0: no breach; 1: breaches; 2: not A2."""

    _ensure_database()
    with force_locale(_locale(lang)):
        try:
            application = loads_application(application_file.read_bytes())
        except OSError as exc:
            click.echo(f"{application_file}: {exc.strerror}", err=True)
            sys.exit(2)
        except ApplicationFormatError as exc:
            for problem in exc.as_list(gettext):
                click.echo(f"error: {problem['field']}: {problem['message']}", err=True)
            sys.exit(2)
        findings = precheck(application, rule_tables.load(), shanghai_today())
        _print_json(findings.as_dict(gettext))
    sys.exit(0 if findings.ok else 1)


@filing_group.command("type")
@click.option(
    "--cert-type",
    required=True,
    type=click.Choice(LOOKUP_CERTIFICATE_TYPES),
    help="Certificate type.",
)
@click.option("--cert-number", required=True, help="Certificate number as on the MIIT record.")
@click.option("--domain", required=True, help="One domain of the website to access or file.")
@click.option("--account", default=None, help="E-mail of the account that asks (A5 rows 6-7, 10).")
@LANG_OPTION
@with_appcontext
def filing_type(
    cert_type: str, cert_number: str, domain: str, account: str | None, lang: str
) -> None:
    """Verify the filing type (A5 v3), with its warnings. Exit 0: a type; 1: a refusal; 2: bad
    input."""

    _ensure_database()
    user = None
    if account:
        user = find_user(account)
        if user is None:
            click.echo(f"error: --account: no account {account}", err=True)
            sys.exit(2)
    with force_locale(_locale(lang)):
        try:
            verdict = verify_filing_type(
                cert_type, cert_number, domain, current_policy().provider_code,
                shanghai_today(), account=user, registry=current().registry,
                lookup=current().domain_lookup,
            )  # fmt: skip
        except LookupInputError as exc:
            for problem in exc.as_list(gettext):
                option = "--" + problem["field"].replace("_", "-")
                click.echo(f"error: {option}: {problem['message']}", err=True)
            sys.exit(2)
        _print_json(verdict.as_dict(gettext))
    sys.exit(0 if verdict.type else 1)


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Fail SMS verifications past their 24 hours; remind, then withdraw, filings that waited on
    the applicant too long (run every few minutes from cron)."""
    policy = current_policy()
    with transaction():
        count = sms.expire_overdue(policy)
    click.echo(f"{count} SMS verifications expired")
    with transaction():
        result = stale.sweep(policy)
    click.echo(
        f"{result.reminded} stale filings reminded, {result.withdrawn} withdrawn by the system"
    )
    with transaction():
        limits = throttle.LoginLimits.from_config(current_app.config)
        forgotten = throttle.forget_idle(utcnow(), limits)
    click.echo(f"{forgotten} idle login counters forgotten")
    ended = rate_limit_store.forget_ended(db.engine)
    click.echo(f"{ended} ended rate-limit windows forgotten")
    _sweep_personal_data()


def _sweep_personal_data() -> None:
    """The retention policy (personal data kept no longer than needed): superseded and withdrawn
    images, unconfirmed imports."""
    config = current_app.config
    with transaction():
        kept = retention.sweep(
            current().storage, utcnow(),
            int(config["RETENTION_SUPERSEDED_DAYS"]), int(config["RETENTION_WITHDRAWN_DAYS"]),
        )  # fmt: skip
    click.echo(
        f"{kept.superseded} superseded and {kept.withdrawn} withdrawn filings' images deleted"
    )
    folder = imports.folder_beside(config["UPLOAD_FOLDER"])
    removed = imports.sweep_previews(folder, 60 * float(config["RETENTION_IMPORT_MINUTES"]))
    click.echo(f"{removed} unconfirmed registry import files deleted")


@click.group("workflow")
def workflow_group() -> None:
    """The filing workflow (DOMAIN.md A6) as data: the one table that apply() uses."""


@workflow_group.command("table")
def workflow_table() -> None:
    """Print every transition as JSON: from, action, to, actors, kinds, when."""
    _print_json(workflow.table_rows())


@workflow_group.command("diagram")
def workflow_diagram() -> None:
    """Print the transition table as a Mermaid stateDiagram-v2."""
    click.echo(workflow.mermaid_diagram(), nl=False)


@click.command("recount")
@with_appcontext
def recount_command() -> None:
    """Rebuild the per-state filing counters of the queue tabs (after a bulk load or a restore)."""

    with transaction():
        counts = stage_counts.recount()
        stage_counts.bump_queue()
    for state, count in sorted(counts.items(), key=lambda item: item[0].value):
        click.echo(f"{state.value}: {count}")


@click.group("outbox")
def outbox_group() -> None:
    """The notification outbox."""


@outbox_group.command("send")
@click.option("--limit", default=100, show_default=True, help="Messages per run.")
@with_appcontext
def outbox_send(limit: int) -> None:
    """Send pending SMS and e-mail that are due (run every minute from cron or a systemd timer)."""

    policy = current_policy()
    sent, failed = notify.dispatch_pending(
        *notify.default_senders(policy), policy=policy, limit=limit
    )
    read = ocr_aid.read_pending(limit)  # the reviewers' OCR aid: licence and ID pages
    click.echo(f"{sent} sent, {failed} failed for good" + (f", {read} pages read" if read else ""))


AUTOGROUP = Path("/proc/self/autogroup")


def lower_cpu_priority(niceness: int) -> None:
    """This process below the web workers: its nice value and, when it leads a session of its own
    (systemd, a supervisor, `setsid`: as gunicorn, in another session), its session's. Linux's
    scheduler first shares the cores between sessions (autogroups) as equals and applies nice
    values only within each: a nice value alone did nothing against gunicorn's workers in their
    own session (measured: the niced worker took a core of two through the upload run). A process
    of another's session (`make run`, a terminal) leaves that session's share alone."""
    os.nice(niceness)
    if os.getsid(0) != os.getpid():
        return
    try:
        AUTOGROUP.write_text(f"{niceness}\n")
    except OSError:  # a kernel without autogroups, or not Linux
        pass


@outbox_group.command("work")
@click.option("--limit", default=100, show_default=True, help="Messages per round.")
@click.option(
    "--rounds", type=int, default=0, help="Stop after this many rounds (0: run until stopped)."
)
@with_appcontext
def outbox_work(limit: int, rounds: int) -> None:
    """Deliver the outbox as it fills: a long-running worker (systemd), stopped by SIGTERM/SIGINT
    after the round in hand."""
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    idle = float(current_app.config["OUTBOX_WORK_SECONDS"])
    niceness = int(current_app.config["OUTBOX_WORK_NICENESS"])
    if niceness > 0:  # background work: the web workers first (Tesseract inherits it)
        lower_cpu_priority(niceness)
    done = total_sent = total_failed = 0
    click.echo("outbox worker started")
    try:
        while not stopping and (not rounds or done < rounds):
            policy = current_policy()  # settings changed in the console reach the worker too
            try:
                sent, failed = notify.dispatch_pending(
                    *notify.default_senders(policy), policy=policy, limit=limit
                )
                read = ocr_aid.read_pending()  # a few licence and ID pages for the OCR aid
                due = notify.next_due()
            except sa.exc.SQLAlchemyError as exc:  # the database went away: wait, then again
                db.session.rollback()
                current_app.logger.warning("outbox worker: %s", type(exc).__name__)
                sent = failed = read = 0
                due = None
            finally:
                db.session.remove()
            done, total_sent, total_failed = done + 1, total_sent + sent, total_failed + failed
            if sent + failed >= limit or read >= ocr_aid.PER_ROUND:
                continue  # a full round: more may be waiting
            # till the next retry is due, at least half a second (another host may hold rows)
            wait = idle if due is None else min(idle, max(0.5, (due - utcnow()).total_seconds()))
            deadline = time.monotonic() + wait
            while not stopping and time.monotonic() < deadline and (not rounds or done < rounds):
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"outbox worker stopped: {total_sent} sent, {total_failed} failed for good")


@click.group("api-token")
def api_token_group() -> None:
    """Tokens for the provider's own console (JSON API)."""


@api_token_group.command("create")
@click.argument("name")
@click.option("--by", "admin_email", required=True, help="E-mail of the admin who issues it.")
@click.option("--write", is_flag=True, help="Also the write scope (create drafts); default: read.")
@click.option("--days", type=int, default=None, help="Valid for this many days (default 90).")
@click.option("--service-codes", is_flag=True, help="Also issue and revoke service codes (A10).")
@with_appcontext
def api_token_create(
    name: str, admin_email: str, write: bool, days: int | None, service_codes: bool
) -> None:
    """Issue a bearer token; it is printed once and stored only as a hash."""

    admin = find_user(admin_email)
    if admin is None or admin.role is not Role.admin:
        raise click.ClickException(f"{admin_email} is not an admin account")
    try:
        with transaction():
            token = api_tokens.issue(
                name, admin, write=write, days=days or current_app.config["API_TOKEN_DAYS"],
                service_codes=service_codes,
            )  # fmt: skip
    except api_tokens.TokenError as exc:
        raise click.ClickException(f"--{exc.field}: {exc.message.render(gettext)}") from exc
    click.echo(token)


@api_token_group.command("list")
@with_appcontext
def api_token_list() -> None:
    """Every token: id, state, scopes, name, issuer, created, expires, last used (UTC)."""

    def when(moment) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"

    rows = [("id", "state", "scopes", "name", "by", "created", "expires", "last used")]
    for token in api_tokens.all_tokens():
        rows.append(
            (
                str(token.id), api_tokens.state(token), token.scopes.replace(" ", ","),
                token.name, token.created_by.email, when(token.created_at),
                when(token.expires_at), when(token.last_used_at),
            )
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke(token_id: int) -> None:
    """Revoke a token for good (by its id from `api-token list`)."""

    try:
        with transaction():
            token = api_tokens.revoke(token_id, None)
    except api_tokens.TokenError as exc:
        raise click.ClickException(exc.message.render(gettext)) from exc
    click.echo(f"token {token.id} ({token.name}) revoked")


def _sqlite_path() -> str:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore handle the SQLite file; for PostgreSQL use pg_dump / pg_restore (docs/deployment.md)"
        )
    return url.database


def _copy_sqlite(source, target) -> None:
    """Copy one SQLite database file onto another with SQLite's online backup API."""

    origin, destination = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with destination:
            origin.backup(destination)
    finally:
        origin.close()
        destination.close()


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Copy the SQLite database to TARGET with SQLite's online backup (safe while serving)."""
    _copy_sqlite(_sqlite_path(), target)
    click.echo(f"backed up to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before overwriting the database.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE (stop the workers first)."""
    target = _sqlite_path()
    if not yes:
        click.confirm(f"overwrite {target} with {source}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    _copy_sqlite(source, target)
    click.echo(f"restored {target} from {source}")


# --- the local domain table (DOMAIN.md A5 v3 domain lookup) ------------------------------------


@click.group("domains")
def domains_group() -> None:
    """The local domain table: each domain's holder, registrar, expiry, real-name verification."""


@domains_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def domains_import(csv_file: Path) -> None:
    """Import a domain-table CSV (DOMAIN.md A5 v3). All or nothing: a bad row imports nothing."""

    _ensure_database()
    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"{csv_file}: not UTF-8; nothing imported", err=True)
        sys.exit(2)
    try:
        with transaction():
            summary = import_domains(parse_domains_csv(text))
    except DomainImportError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        click.echo(f"{csv_file}: {where}{exc.reason}; nothing imported（未导入任何数据）", err=True)
        sys.exit(2)
    click.echo(
        f"domains: {summary.created} new, {summary.updated} changed, {summary.unchanged} unchanged"
    )


# --- the provider's duties: footer and resolve checks (docs/duties.md) ----------------------------


@click.group("compliance")
def compliance_group() -> None:
    """The footer and resolve checks of the websites held here (run daily from cron)."""


def _report(name: str, result: checking.RunResult) -> None:
    counts = ", ".join(f"{key} {value}" for key, value in sorted(result.results.items()))
    click.echo(
        f"{name}: {result.checked} websites checked ({counts or 'none'}), "
        f"{result.notices} notices, {result.left} left for the next run"
    )


@compliance_group.command("footer")
@click.option("--limit", type=click.IntRange(min=1), help="Check at most N websites this run.")
@with_appcontext
def compliance_footer(limit: int | None) -> None:
    """Fetch the home page of each approved website held here and check its footer."""
    if current_app.config["PAGE_FETCHER"] == "off":
        click.echo("footer checks are off (BEIAN_PAGE_FETCHER=off)")
        return
    adapters = current()
    result = footer.run(
        adapters.fetcher, adapters.resolver, current_policy(),
        checking.Limits.from_config(current_app.config), limit=limit,
    )  # fmt: skip
    _report("footer", result)


@compliance_group.command("resolve")
@click.option("--limit", type=click.IntRange(min=1), help="Check at most N websites this run.")
@with_appcontext
def compliance_resolve(limit: int | None) -> None:
    """Resolve the domains of each website held here; mark away those that left the IP pool."""
    if current_app.config["DNS_RESOLVER"] == "off":
        click.echo("resolve checks are off (BEIAN_DNS_RESOLVER=off)")
        return
    result = resolve.run(
        current().resolver, current_policy(), checking.Limits.from_config(current_app.config),
        limit=limit,
    )  # fmt: skip
    _report("resolve", result)


# --- the access gate (DOMAIN.md A9) -----------------------------------------------------------


@click.group("gate")
def gate_group() -> None:
    """The access gate: the domains the provider's edge may serve."""


@gate_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(gate.FORMATS),
    default="nginx-map",
    show_default=True,
    help="nginx-map: entries for a `map … { hostnames; … }` block.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write FILE atomically (a reader sees the old or the new file) instead of stdout.",
)
@with_appcontext
def gate_export_command(fmt: str, output: Path | None) -> None:
    """Print (or write) the allowed domains with a version that changes whenever they do; with
    --output, the version goes to stderr and the file is left alone when it already holds it."""
    made = gate.export_now(current_policy().provider_code)
    content = made.render(fmt)
    if output is None:
        click.echo(content, nl=False)
        return
    try:
        with open(output, encoding="utf-8") as existing:
            unchanged = existing.read(200).startswith(made.prefix(fmt))
    except OSError:
        unchanged = False
    if not unchanged:
        gate.write_atomically(output, content)
    click.echo(
        f"{made.version} {len(made.domains)} {'unchanged' if unchanged else 'written'}", err=True
    )
