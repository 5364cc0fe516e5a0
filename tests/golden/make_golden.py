"""Golden files of the staff downloads: the demo with a fixed seed and clock, fetched as staff.

Run it with a checkout's own Python to write that checkout's downloads into a folder; the
files in tests/golden/files were written by the code before the restructuring (91ebbd3):

    git worktree add --detach /tmp/before 91ebbd3
    cd /tmp/before && make .venv/.installed translations
    .venv/bin/python "$OLDPWD/tests/golden/make_golden.py" "$OLDPWD/tests/golden/files"

(it prints which kiosk package it ran). Since then these changes were made on purpose, each
written again by this script and its difference read: the raw CSV files end their lines in
LF, as PostgreSQL's COPY writes them (issue 18; each parsed to the same rows as before); the
demo's answers fall on the events' days and hours (issue 20, item 7); a CSV names its columns,
channels and wish states in the staff member's language (machine names with headers=names:
the raw CSV then as before), a tally has place columns and, for an area or a campaign, the
rows of all places and then of each place, the JSON tally counts each question per place too,
and the workbook names the channels in words (no "web", which no door writes) and compares
the places beneath each question (issue 20, item 6).

tests/test_golden_downloads.py makes the same downloads from the code under test, on SQLite
and on PostgreSQL, and compares them with these files. The script runs against both layouts
of the package (before and after the restructuring), so it imports by either name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import itertools
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SEED = 27
SAMPLE_VISITS = 16
# The answers' clock: each call of utcnow() while the demo loads is one step later. The
# steps keep microseconds (as a real clock has them) and cross local midnight (the
# workbook shows Berlin time). Downloads are made at one fixed instant.
CLOCK_START = dt.datetime(2025, 9, 27, 8, 30, 0, 123456, tzinfo=dt.UTC)
CLOCK_STEP = dt.timedelta(minutes=23, seconds=7, microseconds=1)
EXPORTED_AT = dt.datetime(2025, 10, 1, 12, 0, 0, 654321, tzinfo=dt.UTC)

VIEWER_EMAIL = "viewer@example.org"
VIEWER_PASSWORD = "golden viewer password"

# (file name, who downloads, URL); {location}, {area} and {campaign} are the demo's ids.
# "staff" is the demo's admin; a viewer may not read wishes that are not approved.
DOWNLOADS = [
    *[
        (f"{kind}-{what}", "staff", f"/staff/{kind}/{{{kind}}}/{what}")
        for kind in ("location", "area", "campaign")
        for what in ("tally.csv", "tally.json", "raw.csv", "raw.json", "tally.xlsx")
    ],
    ("campaign-tally-comma.csv", "staff", "/staff/campaign/{campaign}/tally.csv?sep=comma"),
    ("location-raw-tab.csv", "staff", "/staff/location/{location}/raw.csv?sep=tab"),
    ("location-raw-en.csv", "staff", "/staff/location/{location}/raw.csv?lang=en"),
    ("campaign-tally-en.xlsx", "staff", "/staff/campaign/{campaign}/tally.xlsx?lang=en"),
    ("campaign-raw-viewer.csv", "viewer", "/staff/campaign/{campaign}/raw.csv"),
    ("campaign-tally-viewer.xlsx", "viewer", "/staff/campaign/{campaign}/tally.xlsx"),
    ("campaign-tally-en.csv", "staff", "/staff/campaign/{campaign}/tally.csv?lang=en"),
    (
        "campaign-tally-names.csv",
        "staff",
        "/staff/campaign/{campaign}/tally.csv?headers=names&lang=de",
    ),
    ("campaign-raw-names.csv", "staff", "/staff/campaign/{campaign}/raw.csv?headers=names&lang=de"),
    (
        "location-raw-names-en.csv",
        "staff",
        "/staff/location/{location}/raw.csv?headers=names&lang=en",
    ),
]
# (file name, arguments of `flask export-tally`), written with --output.
CLI_EXPORTS = [
    ("cli-area-tally.csv", ["export-tally", "area", "{area}"]),
    ("cli-location-ehp-tally.json", ["export-tally", "location", "ehp", "--format", "json"]),
    ("cli-campaign-tally-tab.csv", ["export-tally", "campaign", "{campaign}", "--sep", "tab"]),
    (
        "cli-campaign-tally-names.csv",
        ["export-tally", "campaign", "{campaign}", "--headers", "names"],
    ),
]
MANIFEST = "manifest.json"


def _first(*names: str) -> Any:
    """The first `module:attribute` that imports (the restructuring moved modules)."""
    for name in names:
        module_name, attribute = name.split(":")
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except (ModuleNotFoundError, AttributeError):
            continue
    raise ImportError(f"none of {names}")


def _kiosk() -> dict[str, Any]:
    """What the script needs from the package, whichever layout it has."""
    return {
        "create_app": _first("kiosk.web:create_app", "kiosk:create_app"),
        "load_demo": _first("kiosk.setup.demo:load_demo", "kiosk.demo:load_demo"),
        "DEMO_EMAIL": _first("kiosk.setup.demo:DEMO_EMAIL", "kiosk.demo:DEMO_EMAIL"),
        "DEMO_PASSWORD": _first("kiosk.setup.demo:DEMO_PASSWORD", "kiosk.demo:DEMO_PASSWORD"),
        "create_user": _first("kiosk.access.accounts:create_user", "kiosk.accounts:create_user"),
        "make_engine": _first("kiosk.models.engine:make_engine", "kiosk.db:make_engine"),
        "upgrade_database": _first("kiosk.cli:upgrade_database"),
    }


@contextmanager
def pinned_clock(times: Iterator[dt.datetime]) -> Iterator[None]:
    """Every kiosk module's utcnow() returns the next of these times, until the block ends.

    Modules import utcnow by name, so the name is replaced in each loaded kiosk module that
    holds the original (load them all first). Column defaults (default=utcnow: audit
    entries, staff accounts) keep the real clock: no download shows them.
    """
    from kiosk.models import base

    original = base.utcnow

    def utcnow() -> dt.datetime:
        return next(times)

    patched = [
        module
        for name, module in list(sys.modules.items())
        if (name == "kiosk" or name.startswith("kiosk.")) and vars(module).get("utcnow") is original
    ]
    for module in patched:
        module.utcnow = utcnow  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in patched:
            module.utcnow = original  # type: ignore[attr-defined]


def ticking(start: dt.datetime, step: dt.timedelta) -> Iterator[dt.datetime]:
    """start, start + step, start + 2 step, ..."""
    return (start + n * step for n in itertools.count())


@dataclass(frozen=True)
class Download:
    """One download as a person gets it: where from, its status, type, file name and bytes."""

    url: str
    status: int
    content_type: str
    disposition: str
    body: bytes

    def manifest_entry(self) -> dict[str, Any]:
        """Everything but the bytes (which go into a file of their own)."""
        entry = asdict(self)
        del entry["body"]
        return entry


def app_config(database_url: str) -> dict[str, Any]:
    """The app's test configuration (as tests/conftest.py), on this database."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
    }


def load_golden_demo(database_url: str) -> dict[str, int]:
    """Migrate an empty database and load the demo with its sample answers and a viewer.

    Returns the ids the download URLs need. Call it once the app exists (create_app loads
    the modules whose clock pinned_clock pins).
    """
    kiosk = _kiosk()
    kiosk["upgrade_database"](database_url)
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from kiosk.models import Area, Campaign, Location

    engine = kiosk["make_engine"](database_url)
    try:
        with Session(engine) as session, pinned_clock(ticking(CLOCK_START, CLOCK_STEP)):
            actor = _actor()  # since the restructuring, changes name who made them
            # The pop-up campaign alone, as the golden files were made (the full demo since
            # the wheel and the walk adds two campaigns: formats=False leaves them out).
            extra = (
                {"formats": False}
                if "formats" in inspect.signature(kiosk["load_demo"]).parameters
                else {}
            )
            assert kiosk["load_demo"](
                session, seed=SEED, sample_visits=SAMPLE_VISITS, **actor, **extra
            )
            kiosk["create_user"](
                session,
                email=VIEWER_EMAIL,
                name="Viewer",
                password=VIEWER_PASSWORD,
                role="viewer",
                **actor,
            )
            session.commit()
            return {
                "area": session.scalars(select(Area.id)).one(),
                "location": session.scalars(
                    select(Location.id).where(Location.code == "ehp")
                ).one(),
                "campaign": session.scalars(select(Campaign.id)).one(),
            }
    finally:
        engine.dispose()


def _actor() -> dict[str, object]:
    """The command line as the actor, where operations take one (not before 0016's tree)."""
    import kiosk.models

    line = getattr(kiosk.models, "COMMAND_LINE", None)
    return {"actor": line} if line is not None else {}


def fetch_downloads(database_url: str) -> dict[str, Download]:
    """Every download of DOWNLOADS and CLI_EXPORTS from the demo in a new, empty database."""
    kiosk = _kiosk()
    app = kiosk["create_app"](app_config(database_url))
    try:
        ids = load_golden_demo(database_url)
        clients = {}
        for who, email, password in [
            ("staff", kiosk["DEMO_EMAIL"], kiosk["DEMO_PASSWORD"]),
            ("viewer", VIEWER_EMAIL, VIEWER_PASSWORD),
        ]:
            client = app.test_client()
            login = client.post("/staff/login", data={"email": email, "password": password})
            assert login.status_code == 302, login.text
            clients[who] = client
        found: dict[str, Download] = {}
        with pinned_clock(itertools.repeat(EXPORTED_AT)), tempfile.TemporaryDirectory() as tmp:
            for name, who, template in DOWNLOADS:
                url = template.format(**ids)
                answer = clients[who].get(url)
                found[name] = Download(
                    url,
                    answer.status_code,
                    answer.content_type,
                    answer.headers.get("Content-Disposition", ""),
                    answer.data,
                )
            runner = app.test_cli_runner()
            for name, arguments in CLI_EXPORTS:
                args = [a.format(**ids) for a in arguments]
                output = Path(tmp) / name
                result = runner.invoke(args=[*args, "--output", str(output)])
                assert result.exit_code == 0, result.output
                found[name] = Download(" ".join(args), 0, "", "", output.read_bytes())
        return found
    finally:
        app.extensions["kiosk.engine"].dispose()


def read_golden(folder: Path) -> dict[str, Download]:
    """The downloads written by write_golden."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {
        name: Download(**entry, body=(folder / name).read_bytes())
        for name, entry in manifest.items()
    }


def write_golden(folder: Path, found: dict[str, Download]) -> None:
    """Each download's bytes in a file of its name, the rest in manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, download in found.items():
        (folder / name).write_bytes(download.body)
    manifest = {name: download.manifest_entry() for name, download in found.items()}
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def main() -> None:
    """Write the downloads of the kiosk package this Python imports into the given folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    import kiosk

    print(f"kiosk from {kiosk.__file__}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        found = fetch_downloads(f"sqlite:///{tmp}/golden.sqlite3")
    write_golden(args.folder, found)
    size = sum(len(d.body) for d in found.values())
    print(f"wrote {len(found)} downloads ({size} bytes) to {args.folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
