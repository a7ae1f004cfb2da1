"""Command-line interface: `flask --app app <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_tables_command)
    app.cli.add_command(registry_group)


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
        click.echo(f"{csv_file}: {where}{exc.reason}; nothing imported", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(
        f"subjects: {summary.subjects_created} new, {summary.subjects_updated} changed; "
        f"websites: {summary.websites_created} new, {summary.websites_updated} changed, "
        f"{summary.unchanged} unchanged"
    )
