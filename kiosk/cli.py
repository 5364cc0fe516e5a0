"""The `kiosk` command: set up the database, load the demo, manage staff, export tallies."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from kiosk import db
from kiosk.accounts import create_user
from kiosk.config import write_secret_key
from kiosk.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from kiosk.errors import KioskError
from kiosk.exports import SEPARATORS, TALLY_HEADER, csv_stream, tally_document, tally_rows
from kiosk.models import Location
from kiosk.tallies import ScopeKind, load_scope, tally

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for this package's migrations and the given database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Bring the database at this URL to the newest schema (creating it if empty)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    alembic_command.upgrade(alembic_config(url), "head")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    url = current_app.config["DATABASE_URL"]
    if not os.environ.get("KIOSK_SECRET_KEY"):
        click.echo(f"Secret key: {write_secret_key()}")
    upgrade_database(url)
    click.echo("Database schema is up to date (created or upgraded as needed).")


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Load the Jena Nord demo (area, places, campaign, staff login) unless it is there."""
    session = db.session()
    created = load_demo(session)
    session.commit()
    click.echo("Demo loaded." if created else "Demo is there already; nothing changed.")
    click.echo(f"Demo staff login: {DEMO_EMAIL} / {DEMO_PASSWORD}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["staff", "admin"]), default="staff")
@click.password_option()
@with_appcontext
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a staff user who can log in to /staff."""
    session = db.session()
    try:
        user = create_user(session, email=email, name=name, password=password, role=role)
    except KioskError as error:
        raise click.ClickException(error.message % error.params) from None
    session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("export-tally")
@click.argument("kind", type=click.Choice([kind.value for kind in ScopeKind]))
@click.argument("ident")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--sep", type=click.Choice(sorted(SEPARATORS)), default="semicolon")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write; '-' for standard output.",
)
@with_appcontext
def export_tally_command(kind: str, ident: str, fmt: str, sep: str, output: str) -> None:
    """Write the tally of a location (id or QR code), an area or a campaign (id) to a file."""
    session = db.session()
    scope_id = int(ident) if ident.isdigit() else None
    if kind == ScopeKind.LOCATION and scope_id is None:
        scope_id = session.scalar(select(Location.id).where(Location.code == ident.lower()))
    if scope_id is None:
        raise click.ClickException(f"No {kind} “{ident}”.")
    try:
        scope = load_scope(session, kind, scope_id)
    except KioskError as error:
        raise click.ClickException(error.message % error.params) from None
    tallies = tally(session, scope)
    separator = SEPARATORS[sep]
    if fmt == "json":
        text = json.dumps(tally_document(scope, tallies), ensure_ascii=False, indent=1)
    else:
        text = "".join(csv_stream(TALLY_HEADER, tally_rows(tallies, separator), separator))
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    if output != "-":
        click.echo(f"Wrote {output}.", err=True)


def register_commands(app: Flask) -> None:
    """Add the project's commands to `flask --app wsgi` and `kiosk`."""
    for command in (init_db_command, load_demo_command, create_user_command, export_tally_command):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `kiosk` console script."""
    from kiosk import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Kiosk and QR feedback service.")
    sys.exit(cli.main())
