"""The `kiosk` command: set up the database, load the demo, manage staff, export tallies."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale, gettext
from sqlalchemy import select

from kiosk.access.accounts import ROLES, create_user
from kiosk.core import config
from kiosk.core.config import write_secret_key
from kiosk.core.errors import KioskError
from kiosk.core.languages import KNOWN
from kiosk.models import COMMAND_LINE, Device, Location, utcnow
from kiosk.results.exports import SEPARATORS, tally_csv, tally_document, words_in
from kiosk.results.rawcsv import MACHINE_NAMES
from kiosk.results.tallies import ScopeKind, load_scope, tally, tally_per_place
from kiosk.safety.ratelimits import forget_rates
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from kiosk.sync.devices import new_enrolment, register_device, revoke
from kiosk.sync.ingest import import_items
from kiosk.sync.node import (
    BatchFileError,
    SyncAuthError,
    SyncError,
    export_outbox,
    http_transport,
    pull_config,
    read_batch_file,
    release_held,
    sync,
)
from kiosk.web import db

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
    created = load_demo(session, actor=COMMAND_LINE)
    session.commit()
    click.echo("Demo loaded." if created else "Demo is there already; nothing changed.")
    click.echo(f"Demo staff login: {DEMO_EMAIL} / {DEMO_PASSWORD}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.password_option()
@with_appcontext
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a staff user who can log in to /staff."""
    session = db.session()
    try:
        user = create_user(
            session, email=email, name=name, password=password, role=role, actor=COMMAND_LINE
        )
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
    "--headers",
    type=click.Choice(["words", "names"]),
    default="words",
    help="CSV column names and channels in words (in --lang) or as machine names for scripts.",
)
@click.option(
    "--lang",
    type=click.Choice(list(KNOWN)),
    default=None,
    help="Language of the words and texts (default: the first of KIOSK_LANGUAGES).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write; '-' for standard output.",
)
@with_appcontext
def export_tally_command(
    kind: str, ident: str, fmt: str, sep: str, headers: str, lang: str | None, output: str
) -> None:
    """Write the tally of a location (id or QR code), an area or a campaign (id) to a file.

    A campaign's or an area's CSV has the rows of all its places, then each place's.
    """
    session = db.session()
    scope_id = int(ident) if ident.isdecimal() else None
    if kind == ScopeKind.LOCATION and scope_id is None:
        scope_id = session.scalar(select(Location.id).where(Location.code == ident.lower()))
    if scope_id is None:
        raise click.ClickException(f"No {kind} “{ident}”.")
    try:
        scope = load_scope(session, kind, scope_id)
    except KioskError as error:
        raise click.ClickException(error.message % error.params) from None
    tallies = tally(session, scope)
    places = tally_per_place(session, scope, [t.campaign for t in tallies])
    separator = SEPARATORS[sep]
    language = lang or current_app.config["LANGUAGES"][0]
    if fmt == "json":
        text = json.dumps(tally_document(scope, tallies, places), ensure_ascii=False, indent=1)
    else:
        with force_locale(KNOWN[language].locale):
            wording = words_in(gettext) if headers == "words" else MACHINE_NAMES
        text = "".join(tally_csv(scope, tallies, places, separator, language, wording))
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    if output != "-":
        click.echo(f"Wrote {output}.", err=True)


@click.command("device-add")
@click.option("--name", required=True, help="What staff call this kiosk.")
@click.option("--location", "code", required=True, help="The QR code of its place, e.g. ehp.")
@with_appcontext
def device_add_command(name: str, code: str) -> None:
    """(central) Register a kiosk; print its one-time enrolment code."""
    session = db.session()
    location_id = session.scalar(select(Location.id).where(Location.code == code.lower()))
    if location_id is None:
        raise click.ClickException(f"No place with the code “{code}”.")
    device, enrolment_code = register_device(
        session, name=name, location_id=location_id, actor=COMMAND_LINE
    )
    session.commit()
    click.echo(f"Kiosk {device.id} “{device.name}” registered. On the kiosk node, run:")
    click.echo(f"  kiosk enrol --central <this server's URL> {enrolment_code}")
    click.echo("The code works once, for 7 days.")


def _device(device_id: int) -> Device:
    device = db.session().get(Device, device_id)
    if device is None:
        raise click.ClickException(f"No kiosk {device_id}.")
    return device


@click.command("device-revoke")
@click.argument("device_id", type=int)
@with_appcontext
def device_revoke_command(device_id: int) -> None:
    """(central) Stop a kiosk's token; give it a new code with device-reenrol."""
    revoke(db.session(), _device(device_id), actor=COMMAND_LINE)
    db.session().commit()
    click.echo(f"Kiosk {device_id} revoked; its unsent answers stay on the kiosk.")


@click.command("device-reenrol")
@click.argument("device_id", type=int)
@with_appcontext
def device_reenrol_command(device_id: int) -> None:
    """(central) Give a kiosk a new one-time enrolment code (its old token stops working)."""
    code = new_enrolment(db.session(), _device(device_id), actor=COMMAND_LINE)
    db.session().commit()
    click.echo(f"  kiosk enrol --central <this server's URL> {code}")


@click.command("enrol")
@click.option("--central", help="Central's address, e.g. https://example.org (not with a link)")
@click.argument("link_or_code")
def enrol_command(central: str | None, link_or_code: str) -> None:
    """(kiosk node) Enrol with central by the link (or code) staff got; keep the token."""
    if "/enrol#" in link_or_code:
        central, _, code = link_or_code.rpartition("/enrol#")
    elif central:
        code = link_or_code
    else:
        raise click.ClickException("Give the enrolment link, or --central URL and the code.")
    request = urllib.request.Request(  # noqa: S310 - the operator gives the URL
        central.rstrip("/") + "/api/v1/enrol",
        data=json.dumps({"code": code}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            body = json.load(answer)
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"Central refused the code ({error.code}).") from None
    except (OSError, ValueError) as error:
        raise click.ClickException(f"Central could not be reached: {error}") from None
    instance = config.INSTANCE_DIR
    instance.mkdir(parents=True, exist_ok=True)
    token_file = instance / "device_token"
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:  # readable by this user only, from the start
        handle.write(body["token"])
    (instance / "central_url").write_text(central.rstrip("/"))
    (instance / "device_id").write_text(str(body["device"]["id"]))
    click.echo(f"Enrolled as kiosk “{body['device']['name']}” at {body['device']['location']}.")


@click.command("sync")
@click.option("--forever", is_flag=True, help="Keep sending as answers come in.")
@click.option("--batch", "batch_size", type=click.IntRange(1, 1000), default=500)
@click.option("--retry-held", is_flag=True, help="Send again what central refused before.")
@with_appcontext
def sync_command(forever: bool, batch_size: int, retry_held: bool) -> None:
    """(kiosk node) Send unsent answers to central; retries with backoff."""
    central_file = config.INSTANCE_DIR / "central_url"
    central = current_app.config["CENTRAL_URL"] or (
        central_file.read_text().strip() if central_file.exists() else ""
    )
    token_file = config.INSTANCE_DIR / "device_token"
    if not central or not token_file.exists():
        raise click.ClickException("Not enrolled: run `kiosk enrol --central URL CODE` first.")
    token = token_file.read_text().strip()
    transport = http_transport(central, token)
    if retry_held:
        released = release_held(db.session())
        db.session().commit()
        click.echo(f"{released} held answers are in line again.", err=True)
    etag_file = config.INSTANCE_DIR / "config_etag"

    def refresh_config() -> None:
        """Take over central's configuration if it changed (a conditional request)."""
        try:
            with db.session_factory()() as session:
                etag = pull_config(
                    session, central, token, etag_file.read_text() if etag_file.exists() else None
                )
            if etag:
                etag_file.write_text(etag)
        except SyncAuthError:
            raise
        except Exception as error:  # whatever went wrong there, the answers go out all the same
            click.echo(f"central's configuration was not updated: {error}", err=True)

    try:
        report = sync(
            db.session_factory(),
            transport,
            batch_size=batch_size,
            forever=forever,
            before_pass=refresh_config,
            log=lambda line: click.echo(line, err=True),
        )
    except SyncAuthError as error:
        raise click.ClickException(f"{error}; the answers stay here. Enrol again.") from None
    except SyncError as error:
        raise click.ClickException(f"Central is not reachable now ({error}).") from None
    click.echo(
        f"sent={report.sent} acknowledged={report.acknowledged} held={report.held} "
        f"remaining={report.remaining}"
    )


@click.command("export-outbox")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_outbox_command(target: str) -> None:
    """(kiosk node) Write all unsent answers to a file, to carry to central."""
    id_file = config.INSTANCE_DIR / "device_id"
    device_id = int(id_file.read_text()) if id_file.exists() else None
    document = export_outbox(db.session(), device_id=device_id)
    Path(target).write_text(json.dumps(document, ensure_ascii=False))
    click.echo(f"Wrote {len(document['responses'])} answers to {target}.")


@click.command("import-batch")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--device", "device_id", type=int, help="The kiosk (instead of the file's).")
@with_appcontext
def import_batch_command(source: str, device_id: int | None) -> None:
    """(central) Store the answers of a kiosk's batch file; importing it twice changes nothing."""
    try:
        file_device, items = read_batch_file(Path(source).read_bytes())
    except BatchFileError as error:
        raise click.ClickException(error.message) from None
    if (device_id or file_device) is None:
        raise click.ClickException("The file does not name its kiosk: give --device ID.")
    device = _device(device_id or file_device or 0)
    session = db.session()
    catalog = db.catalog()
    with db.write_lock().held():
        counts = import_items(
            session,
            catalog,
            device,
            items,
            wish_max_chars=current_app.config["WISH_MAX_CHARS"],
            actor=COMMAND_LINE,
        )
        session.commit()
    click.echo(" ".join(f"{status}={count}" for status, count in counts.items()))


@click.command("posters")
@click.argument("campaign_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--size", type=click.Choice(["a4", "a3"]), default="a4", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="The PDF to write.",
)
@with_appcontext
def posters_command(campaign_id: int, size: str, output: str) -> None:
    """Render the posters of every place of a campaign into one PDF, a page each."""
    from kiosk.models import Campaign
    from kiosk.printing.posters import PaperSize, pdf_pages, poster_image
    from kiosk.printing.typefaces import can_shape_arabic
    from kiosk.web.shared import poster_content

    base = current_app.config.get("PUBLIC_URL") or ""
    if not base:
        click.echo("PUBLIC_URL is not set: the codes lead to http://localhost:5000.", err=True)
    if not can_shape_arabic():
        click.echo(
            "Pillow cannot lay out Arabic here (install libfribidi0): the Arabic line comes"
            " out with its letters apart and the wrong way round.",
            err=True,
        )
    with current_app.test_request_context("/", base_url=base or "http://localhost:5000"):
        campaign = db.session().get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"No campaign {campaign_id}.")
        if not campaign.locations:
            raise click.ClickException(f"Campaign {campaign_id} has no places yet.")
        pages = [
            poster_image(poster_content(place, campaign.id), PaperSize(size))
            for place in campaign.locations
        ]
    body = pdf_pages(pages, title=campaign.title)
    with click.open_file(output, "wb") as handle:
        handle.write(body)
    click.echo(f"Wrote {len(pages)} posters to {output}.", err=True)


@click.command("retention")
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    help="The retention period in days (default: KIOSK_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
@with_appcontext
def retention_command(days: int | None, dry_run: bool) -> None:
    """Anonymise answers older than the retention period (see the privacy page)."""
    from kiosk.safety.retention import apply_retention

    days = days or current_app.config["RETENTION_DAYS"]
    session = db.session()
    if not days:
        # Off: answers are kept as they are; old rate-limit counters still go.
        with db.write_lock().held():
            forget_rates(session, before=utcnow() - dt.timedelta(days=1))
            session.commit()
        click.echo("KIOSK_RETENTION_DAYS is 0 (off): answers are kept as they are.")
        return
    with db.write_lock().held():
        report = apply_retention(session, days=days, dry_run=dry_run, actor=COMMAND_LINE)
        if not dry_run:
            session.commit()
    would = "would be " if dry_run else ""
    click.echo(
        f"Older than {report.cutoff:%Y-%m-%d %H:%M} UTC ({days} days): "
        f"{report.anonymised} answers {would}anonymised, "
        f"{report.wishes_blanked} wish texts {would}removed, "
        f"{report.kept_aside_deleted} kept-aside copies {would}deleted."
    )


def register_commands(app: Flask) -> None:
    """Add the project's commands to `flask --app wsgi` and `kiosk`."""
    for command in (
        init_db_command,
        load_demo_command,
        create_user_command,
        export_tally_command,
        device_add_command,
        device_revoke_command,
        device_reenrol_command,
        enrol_command,
        sync_command,
        export_outbox_command,
        import_batch_command,
        posters_command,
        retention_command,
    ):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `kiosk` console script."""
    from kiosk.web import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Kiosk and QR feedback service.")
    sys.exit(cli.main())
