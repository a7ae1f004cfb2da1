"""Command-line interface: `flask --app app <command>`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext

from extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_tables_command)
    app.cli.add_command(registry_group)
    app.cli.add_command(filing_group)
    app.cli.add_command(sweep_command)
    app.cli.add_command(recount_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(api_token_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data: accounts, IP pool, province rules, rule tables, registry, filings."""
    from demo.seed import is_seeded, seed_demo

    if is_seeded():
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("the database already has accounts; seed an empty database")
    demo_accounts = seed_demo()
    db.session.commit()
    click.echo("Demo data loaded. Log in with:")
    for email, password, _name, role in demo_accounts:
        click.echo(f"  {role.value:<10} {email:<30} {password}")


@click.command("seed-tables")
@with_appcontext
def seed_tables_command() -> None:
    """Load the province rules, approved suffixes and deny-lists that are missing (production)."""
    from domain.seed_tables import seed_rule_tables

    added = seed_rule_tables()
    db.session.commit()
    click.echo(f"{added} rows added.")


@click.group("registry")
def registry_group() -> None:
    """The provider's copy of the MIIT registry."""


@registry_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def registry_import(csv_file: Path) -> None:
    """Import a registry CSV (DOMAIN.md A5). All or nothing: a bad row imports nothing."""
    from domain.registry import RegistryImportError, import_registry, parse_registry_csv

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        click.echo(f"{csv_file}: not UTF-8; nothing imported", err=True)
        sys.exit(2)
    try:
        summary = import_registry(parse_registry_csv(text))
    except RegistryImportError as exc:
        db.session.rollback()
        where = f"line {exc.line}: " if exc.line else ""
        click.echo(f"{csv_file}: {where}{exc.reason}; nothing imported（未导入任何数据）", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(
        f"subjects: {summary.subjects_created} new, {summary.subjects_updated} changed; "
        f"websites: {summary.websites_created} new, {summary.websites_updated} changed, "
        f"{summary.unchanged} unchanged"
    )


@click.group("filing")
def filing_group() -> None:
    """Check applications and filing types from the command line."""


def _ensure_database() -> None:
    """The rule tables must exist. The embedded SQLite database is migrated on first use (as
    `make run` does); another database must be migrated by its operator."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

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


def _print_json(document: dict) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@filing_group.command("precheck")
@click.argument("application_file", type=click.Path(dir_okay=False, path_type=Path))
@LANG_OPTION
@with_appcontext
def filing_precheck(application_file: Path, lang: str) -> None:
    """Pre-check an A2 application JSON file. Exit 0: no breach; 1: breaches; 2: not A2."""
    from domain import rule_tables
    from domain.application import ApplicationFormatError, loads_application
    from domain.precheck import precheck
    from domain.workdays import shanghai_today

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
        breaches = precheck(application, rule_tables.load(), shanghai_today())
        _print_json({"ok": not breaches, "breaches": [b.as_dict(gettext) for b in breaches]})
    sys.exit(1 if breaches else 0)


@filing_group.command("type")
@click.option(
    "--cert-type",
    required=True,
    type=click.Choice(["uscc", "resident_id", "passport", "hk_mo_permit", "tw_permit"]),
    help="Certificate type.",
)
@click.option("--cert-number", required=True, help="Certificate number as on the MIIT record.")
@click.option("--domain", required=True, help="One domain of the website to access.")
@click.option("--account", default=None, help="E-mail of the account that asks (A5 rows 8-9).")
@LANG_OPTION
@with_appcontext
def filing_type(
    cert_type: str, cert_number: str, domain: str, account: str | None, lang: str
) -> None:
    """Verify the filing type (A5). Exit 0: a type; 1: a refusal; 2: bad input."""
    from domain.accounts import find_user
    from domain.filing_type import verify_filing_type
    from domain.workdays import shanghai_today

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
                cert_type, cert_number, domain, current_app.config["PROVIDER_CODE"],
                shanghai_today(), account=user,
            )  # fmt: skip
        except ValueError:
            click.echo(f"error: --domain: {domain!r} is not a domain name", err=True)
            sys.exit(2)
        _print_json(verdict.as_dict(gettext))
    sys.exit(0 if verdict.type else 1)


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Fail SMS verifications past their 24 hours (run every few minutes from cron)."""
    from domain import sms

    count = sms.expire_overdue()
    db.session.commit()
    click.echo(f"{count} SMS verifications expired")


@click.command("recount")
@with_appcontext
def recount_command() -> None:
    """Rebuild the per-state filing counters of the queue tabs (after a bulk load or a restore)."""
    from domain import queue_cache, stage_counts

    counts = stage_counts.recount()
    queue_cache.bump()
    db.session.commit()
    for state, count in sorted(counts.items(), key=lambda item: item[0].value):
        click.echo(f"{state.value}: {count}")


@click.group("outbox")
def outbox_group() -> None:
    """The notification outbox."""


@outbox_group.command("send")
@click.option("--limit", default=100, show_default=True, help="Messages per run.")
@with_appcontext
def outbox_send(limit: int) -> None:
    """Send pending SMS and e-mail (run every minute from cron or a systemd timer)."""
    from domain import notify

    sent, failed = notify.dispatch_pending(*notify.default_senders(), limit=limit)
    click.echo(f"{sent} sent, {failed} failed for good")


@click.group("api-token")
def api_token_group() -> None:
    """Tokens for the provider's own console (JSON API)."""


@api_token_group.command("create")
@click.argument("name")
@click.option("--by", "admin_email", required=True, help="E-mail of the admin who issues it.")
@with_appcontext
def api_token_create(name: str, admin_email: str) -> None:
    """Issue a bearer token; it is printed once and stored only as a hash."""
    from domain import api_tokens
    from domain.accounts import find_user
    from domain.states import Role

    admin = find_user(admin_email)
    if admin is None or admin.role is not Role.admin:
        raise click.ClickException(f"{admin_email} is not an admin account")
    token = api_tokens.issue(name, admin)
    db.session.commit()
    click.echo(token)


def _sqlite_path() -> str:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore handle the SQLite file; for PostgreSQL use pg_dump / pg_restore (README)"
        )
    return url.database


def _copy_sqlite(source, target) -> None:
    """Copy one SQLite database file onto another with SQLite's online backup API."""
    import sqlite3

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
