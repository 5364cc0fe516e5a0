"""The `kiosk` command, the migrations, and the gettext catalogues."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from kiosk.cli import upgrade_database
from kiosk.models import Base, StaffUser
from kiosk.web import db

ROOT = Path(__file__).resolve().parent.parent


def test_kiosk_help_lists_the_commands() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kiosk"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for command in ("init-db", "load-demo", "create-user", "export-tally"):
        assert command in result.stdout


def test_init_db_and_load_demo_are_safe_to_run_twice(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.core.config.INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("KIOSK_SECRET_KEY", raising=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) == 64
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert (tmp_path / "secret_key").read_text() == key  # written once, then kept
    second = runner.invoke(args=["load-demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output


def test_create_user_and_its_errors(app: Flask) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Planer@Jena.de",
            "--name",
            "Planer",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session().scalars(select(StaffUser).where(StaffUser.name == "Planer")).one()
        assert user.email == "planer@jena.de"
        assert user.password_hash != "ein-langes-passwort"
    again = runner.invoke(
        args=["create-user", "--email", "planer@jena.de", "--password", "ein-langes-passwort"]
    )
    assert again.exit_code == 1
    assert "exists already" in again.output
    short = runner.invoke(args=["create-user", "--email", "b@jena.de", "--password", "kurz"])
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output


def test_export_tally_to_a_file(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    target = tmp_path / "ehp.csv"
    result = runner.invoke(args=["export-tally", "location", "ehp", "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Befragung"  # the column names in words, in the first language
    assert rows[1][6] == "Grün und Schatten"
    as_json = runner.invoke(args=["export-tally", "campaign", "1", "--format", "json"])
    assert '"title": "WerkStadt – Leben in Jena Nord"' in as_json.output


@pytest.mark.parametrize(
    "args",
    [["location", "nowhere"], ["area", "999"], ["campaign", "abc"], ["street", "1"]],
)
def test_export_tally_refuses_unknown_things(app: Flask, args: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=["export-tally", *args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("key", "refused"),
    [
        ("", "no KIOSK_SECRET_KEY"),
        ("CHANGE-ME", "placeholder"),
        ("kurz", "placeholder"),
        ("0123456789abcdef" * 4, None),
    ],
)
def test_the_server_refuses_a_weak_secret_key(
    tmp_path: Path, key: str, refused: str | None
) -> None:
    """wsgi.py (what gunicorn loads) will not serve with a key anyone could guess."""
    import os

    env = {**os.environ, "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    env.pop("KIOSK_SECRET_KEY", None)
    if key:
        env["KIOSK_SECRET_KEY"] = key
    probe = (
        "import kiosk.core.config as c, pathlib; c.INSTANCE_DIR = pathlib.Path('/nonexistent'); "
    )
    result = subprocess.run(
        [sys.executable, "-c", probe + "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if refused is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0
        assert refused in result.stderr


def test_migrations_match_the_models(database_url: str) -> None:
    """The schema the migrations build is exactly the one the models describe."""
    upgrade_database(database_url)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def check_constraints(connection: sa.Connection, schema: str | None = None) -> dict[str, str]:
    """Every CHECK constraint of the models' tables, by name, as the database reads it back."""
    inspector = sa.inspect(connection)
    return {
        check["name"]: " ".join(check["sqltext"].split())
        for table in Base.metadata.sorted_tables
        for check in inspector.get_check_constraints(table.name, schema=schema)
    }


def test_migrations_make_the_models_check_constraints(database_url: str) -> None:
    """Alembic's comparison leaves CHECKs out: the migrations' and the models' are the same.

    The models' tables are made beside the migrated ones (another SQLite database, another
    PostgreSQL schema), so that both are read back as the database normalises them.
    """
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        migrated = check_constraints(connection)
    if engine.dialect.name == "sqlite":
        beside = sa.create_engine("sqlite://")
        Base.metadata.create_all(beside)
        with beside.connect() as connection:
            modelled = check_constraints(connection)
        beside.dispose()
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE SCHEMA models_beside")
            Base.metadata.create_all(
                connection.execution_options(schema_translate_map={None: "models_beside"})
            )
            modelled = check_constraints(connection, schema="models_beside")
            connection.rollback()
    engine.dispose()
    assert "ck_staff_user_role" in migrated
    assert migrated == modelled


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_is_complete_and_placeholders_match(language: str) -> None:
    with open(ROOT / f"kiosk/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    with open(ROOT / "kiosk/translations/messages.pot", "rb") as handle:
        template = read_po(handle)
    assert {m.id for m in template if m.id} <= {m.id for m in catalogue if m.id}, (
        "run make messages"
    )
    placeholder = re.compile(r"%\(\w+\)\w")
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id}"
        assert "fuzzy" not in message.flags, f"fuzzy: {message.id}"
        expected = set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) == expected, message.id


def test_message_template_is_up_to_date_with_the_sources() -> None:
    """Every translatable string in the code is in messages.pot (else: `make messages`)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "N_": None, "lazy_gettext": None}
    method_map = [("kiosk/**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), method_map, keywords=keywords)
    }
    with open(ROOT / "kiosk/translations/messages.pot", "rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert found - template == set(), "run `make messages` and translate"


def test_the_counter_triggers_survive_every_migration(database_url: str) -> None:
    """A migration in batch mode would copy the response table on SQLite and lose them."""
    upgrade_database(database_url)
    engine = sa.create_engine(database_url)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if engine.dialect.name == "sqlite"
        else "SELECT trigger_name FROM information_schema.triggers"
    )
    with engine.connect() as connection:
        names = set(connection.exec_driver_sql(query).scalars())
    engine.dispose()
    assert {"response_counts", "response_option_counts", "response_cross"} <= names


def test_a_migrated_database_has_the_current_counter_triggers(database_url: str) -> None:
    """What the migrations made is what kiosk.models.counters calls current (one home)."""
    from kiosk.models.counters import TRIGGERS

    def squeezed(sql: str) -> str:
        return " ".join(sql.replace("(", " ( ").replace(")", " ) ").split())

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:  # the functions' bodies, and the triggers as PostgreSQL writes them back
            query = (
                "SELECT prosrc FROM pg_proc WHERE proname LIKE 'count\\_response%%' UNION ALL "
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
            )
        made = " ".join(squeezed(sql) for sql in connection.exec_driver_sql(query).scalars())
    engine.dispose()
    for statement in TRIGGERS[engine.dialect.name]:
        if engine.dialect.name == "sqlite":
            assert squeezed(statement) in made
        elif "CREATE FUNCTION" in statement:
            body = statement.split("$$")[1]
            assert squeezed(body) in made
        else:  # a trigger: its name, table and the function it runs
            words = squeezed(statement).split()
            assert words[2] in made and words[-2] in made


def test_every_migration_goes_down_and_up_again(empty_database_url: str) -> None:
    """A release can be rolled back: base → head → base → head leaves the same schema."""
    from alembic import command

    from kiosk.cli import alembic_config

    upgrade_database(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "base")
    upgrade_database(empty_database_url)
    engine = sa.create_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
