"""The bench's databases: realistic generated answers, built once per size and kept.

Places, campaigns and volumes (SIZE is --responses, the rows of the big place):

    ehp       Emil-Höllein-Platz      SIZE rows: 80 % WerkStadt (open), 20 % Spielplatz-Check
    zeitzer   Spielplatz Zeitzer Str. 100,000 rows, WerkStadt (the 100k export)
    lib       Stadtteilbibliothek     10,000 rows, WerkStadt (the 10k export)
    lobeda    Stadtteilzentrum Lobeda 20,000 rows, Spielplatz-Check (another area)

The answers come as visits: a visit id shared by a person's answers, the demographic question
(age group) in most of them, choices that depend on the age group (so the cross-tab has
something to compute), a wish in a quarter of the visits (texts in several languages, some
with line breaks, quotes, separators or a formula's first character; pending, approved or
rejected), answered_at within event hours (10-18 h Europe/Berlin) on event days over weeks,
time-ordered UUIDs (version 7, as the app makes them), kiosk answers with their device and
the node's clock, phone answers partly through labelled posters. Responses hold no language.

Rows go in with the database's triggers active, so every counter (answer_count, option_count,
hour_count, poster_count and any counter added later) is kept as the app keeps it: on SQLite
through sqlite3's executemany (row triggers), on PostgreSQL as one INSERT … SELECT FROM
unnest(arrays) per batch of 20,000 (statement triggers fire once per batch, as for a sync
batch; psycopg's executemany would send a statement per row). No COPY.

Planner statistics as in service: the app never runs ANALYZE on SQLite, so the SQLite
database is served without them (the build analyzes after its first batch, to be planned
sanely while it fills, and deletes them at the end); PostgreSQL's autovacuum analyzes a
growing table, so the build analyzes after its first batch and ends with VACUUM ANALYZE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.models import (  # noqa: E402
    COMMAND_LINE,
    Area,
    Campaign,
    Device,
    Location,
    QuestionKind,
)
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.setup.campaign_templates import PLAYGROUND, texts_in_all  # noqa: E402
from kiosk.setup.demo import AREA_NAME, load_demo  # noqa: E402
from kiosk.sync.configuration import apply_config, config_document  # noqa: E402
from kiosk.sync.devices import register_device  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
EVENT_HOURS = (10, 18)  # local time
SPRING_TITLE = "Spielplatz-Check Frühjahr 2025"
POSTERS = ("eingang", "bus3", "baecker")  # labelled posters at the big place
WISH_SHARE = 0.25
BATCH = 20_000

WISHES = (
    "Mehr Schatten auf dem Spielplatz, im Sommer ist es zu heiß.",
    "Ein Trinkbrunnen am Emil-Höllein-Platz wäre toll!",
    "Bänke; auch für ältere Menschen, mit Lehne und Armstützen.",
    'Ein "richtiger" Treffpunkt für Jugendliche am Abend, mit Licht.',
    "Erstens: mehr Licht.\nZweitens: weniger Autos.\nDrittens: ein Café.",
    "Mehr Mülleimer, und öfter leeren, bitte",
    '=HYPERLINK("http://example.com";"Klick")',
    "+1 für den Trinkbrunnen",
    "-weniger Lärm in der Nacht-",
    "@Stadt: bitte die Wege reparieren, Kinderwagen bleiben stecken",
    "\tEin Wasserspielplatz",
    "More trees along the street, please.",
    "A place to sit in the shade, with a table for chess.",
    "Daha fazla oturma yeri ve gölge lütfen.",
    "Çocuklar için güvenli bir oyun alanı.",
    "نريد المزيد من الأشجار والظل في الساحة.",
    "مكان للقاء الجيران مساءً",
    "Більше лавок і дитячий майданчик, будь ласка.",
    "Больше зелени и фонтан с питьевой водой.",
    "Ich wünsche mir mehr Bänke. Dann kann ich mich ausruhen.",
    "🌳🌳🌳 mehr Bäume!",
    "Öffentliche Toiletten, die auch abends offen sind.\n\nDanke!",
    "Fahrradbügel vor dem Bäcker; und eine Reparaturstation",
    "Ein Bücherschrank, in dem man Bücher tauschen kann. Und ein Dach darüber, damit "
    "die Bücher bei Regen nicht nass werden. Vielleicht auch eine kleine Bank daneben, "
    "so dass man gleich anfangen kann zu lesen – das wäre schön für alle Generationen.",
)


@dataclass(frozen=True)
class Segment:
    """Answers of one campaign at one place."""

    code: str
    spring: bool  # the ended Spielplatz-Check campaign, else the open WerkStadt
    rows: int
    kiosk_share: float  # the rest came by phone


def segments(size: int) -> list[Segment]:
    """The generated volumes, oldest campaign first (ids grow with time, as in real life)."""
    spring_ehp = size // 5
    return [
        Segment("ehp", True, spring_ehp, 0.5),
        Segment("lobeda", True, 20_000, 0.5),
        Segment("ehp", False, size - spring_ehp, 0.55),
        Segment("zeitzer", False, 100_000, 0.3),
        Segment("lib", False, 10_000, 0.0),
    ]


def label(size: int) -> str:
    """1000000 → "1m", 50000 → "50k": the size as it names files and databases."""
    for factor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


# --- the configuration: places, campaigns, devices -----------------------------------------


@dataclass(frozen=True)
class QuestionPlan:
    id: int
    kind: QuestionKind
    demographic: bool
    options: tuple[tuple[int, int | None], ...]  # (option id, scale value)


@dataclass(frozen=True)
class CampaignPlan:
    id: int
    starts_at: dt.datetime
    questions: tuple[QuestionPlan, ...]


def set_up(session: Session) -> None:
    """The demo (its staff login too), more places, a second campaign, a kiosk per place."""
    load_demo(session, sample_visits=0, actor=COMMAND_LINE)
    werkstadt = session.scalars(sa.select(Campaign)).one()
    nord = werkstadt.locations[0].area
    library = Location(area=nord, code="lib", name="Stadtteilbibliothek")
    werkstadt.locations.append(library)
    lobeda = Location(area=Area(name="Lobeda"), code="lobeda", name="Stadtteilzentrum Lobeda")
    square = session.scalars(sa.select(Location).where(Location.code == "ehp")).one()
    session.add(
        Campaign(
            title=SPRING_TITLE,
            intro=texts_in_all(PLAYGROUND.intro, AREA_NAME),
            starts_at=dt.datetime(2025, 4, 5, 8, tzinfo=dt.UTC),
            ends_at=dt.datetime(2025, 6, 30, 22, tzinfo=dt.UTC),
            locations=[square, lobeda],
            questions=PLAYGROUND.build_questions(AREA_NAME),
        )
    )
    session.flush()
    for location in session.scalars(sa.select(Location)):
        register_device(
            session, name=f"Kiosk {location.name}", location_id=location.id, actor=COMMAND_LINE
        )
    session.commit()


def plans(session: Session) -> tuple[dict[str, int], dict[str, int], dict[bool, CampaignPlan]]:
    """Place ids by code, a kiosk device id by code, and the two campaigns' plans."""
    places = {loc.code: loc.id for loc in session.scalars(sa.select(Location))}
    devices = {}
    for device in session.scalars(sa.select(Device).order_by(Device.id)):
        devices.setdefault(device.location.code, device.id)
    campaigns = {}
    for campaign in session.scalars(sa.select(Campaign)):
        questions = tuple(
            QuestionPlan(
                q.id,
                QuestionKind(q.kind),
                bool(q.demographic),
                tuple((o.id, o.value) for o in q.options),
            )
            for q in sorted(campaign.questions, key=lambda q: q.position)
        )
        if campaign.starts_at is None:
            raise SystemExit(f"campaign {campaign.title!r} has no start: the bench needs one")
        campaigns[campaign.title == SPRING_TITLE] = CampaignPlan(
            campaign.id, campaign.starts_at, questions
        )
    return places, devices, campaigns


# --- the generator ----------------------------------------------------------------------------

COLUMNS = (
    "id",
    "uuid",
    "visit_id",
    "campaign_id",
    "question_id",
    "location_id",
    "channel",
    "source",
    "device_id",
    "value",
    "text",
    "wish_state",
    "client_at",
    "received_at",
    "answered_at",
)


def _event_days(campaign: CampaignPlan, count: int, every: int) -> list[tuple[str, int]]:
    """(UTC date, microsecond of that UTC day when the event opens) for each event day."""
    first = campaign.starts_at.astimezone(BERLIN).date()
    days = []
    for n in range(count):
        day = first + dt.timedelta(days=n * every)
        opens = dt.datetime.combine(day, dt.time(EVENT_HOURS[0]), BERLIN).astimezone(dt.UTC)
        micro = (opens.hour * 3600 + opens.minute * 60) * 1_000_000
        days.append((opens.date().isoformat(), micro))
    return days


def _stamp(date: str, micro: int) -> str:
    """A UTC time as SQLAlchemy stores it on SQLite (and PostgreSQL reads as a timestamp)."""
    seconds, fraction = divmod(micro, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{date} {hour:02d}:{minute:02d}:{second:02d}.{fraction:06d}"


_EPOCH = dt.date(1970, 1, 1)


def _uuid7(rng: random.Random, date: str, micro: int, ordinal: dict[str, int]) -> str:
    """A version 7 UUID for this moment, as 32 hex digits (SQLite's form; PostgreSQL reads it)."""
    days = ordinal.get(date)
    if days is None:
        days = ordinal[date] = (dt.date.fromisoformat(date) - _EPOCH).days
    ms = days * 86_400_000 + micro // 1000
    r = rng.getrandbits(76)
    return f"{ms:012x}7{r >> 64:03x}{8 | (r >> 62) & 3:x}{r & 0xFFFFFFFFFFFFFFF:015x}"


def _weights(count: int, group: int, seed: int) -> list[float]:
    """Cumulative choice weights of a question for an age group: groups prefer differently."""
    base = [1.0 + ((seed * 7 + i * 5) % count) for i in range(count)]
    rotated = base[group % count :] + base[: group % count]
    total, cumulative = 0.0, []
    for weight in rotated:
        total += weight
        cumulative.append(total)
    return [c / total for c in cumulative]


def generate(
    segment: Segment,
    campaign: CampaignPlan,
    *,
    location_id: int,
    device_id: int | None,
    first_id: int,
    seed: int,
) -> Iterator[tuple[list[tuple[object, ...]], list[tuple[int, int]]]]:
    """Batches of (response rows in COLUMNS order, (response id, option id) rows)."""
    rng = random.Random(seed)  # reproducible bench data, not a secret
    days = _event_days(campaign, 30 if segment.spring else 45, 2)
    day_micros = (EVENT_HOURS[1] - EVENT_HOURS[0]) * 3600 * 1_000_000
    visits = segment.rows / 3.7 + 1
    gap = len(days) * day_micros * 0.97 / visits
    ordinal: dict[str, int] = {}
    demographic = next((q for q in campaign.questions if q.demographic), None)
    choice = {
        (q.id, group): _weights(len(q.options), group, q.id)
        for q in campaign.questions
        for group in range(4)
        if q.options
    }
    next_id, left, position = first_id, segment.rows, 0.0
    responses: list[tuple[object, ...]] = []
    picks: list[tuple[int, int]] = []
    while left > 0:
        position += gap * (0.5 + rng.random())
        day_index = min(int(position // day_micros), len(days) - 1)
        date, opens = days[day_index]
        micro = opens + int(position % day_micros)
        kiosk = rng.random() < segment.kiosk_share
        channel = "kiosk" if kiosk else "qr"
        source = None if kiosk or rng.random() < 0.4 else POSTERS[rng.randrange(3)]
        visit = _uuid7(rng, date, micro, ordinal)
        delay = rng.randrange(20, 600) * 1_000_000  # a node sends within minutes
        roll = rng.random()  # the age group: 12 % children, 13 % youths, 60 % adults, 15 % old
        group = 0 if roll < 0.12 else 1 if roll < 0.25 else 2 if roll < 0.85 else 3
        for question in campaign.questions:
            if left == 0:
                break
            if question.kind == QuestionKind.WISH:
                if rng.random() >= WISH_SHARE:
                    continue
            elif rng.random() < (0.2 if question.demographic else 0.08):
                continue  # skipped, as people do
            micro += rng.randrange(4, 20) * 1_000_000 + rng.randrange(1_000_000)
            answered = _stamp(date, micro)
            value = text = state = None
            chosen: list[int] = []
            if question.kind == QuestionKind.WISH:
                text = WISHES[rng.randrange(len(WISHES))]
                roll = rng.random()
                state = "approved" if roll < 0.35 else "rejected" if roll < 0.45 else "pending"
            elif question.kind == QuestionKind.MULTI:
                count = 1 + int(rng.random() * 3)
                chosen = [o for o, _ in rng.sample(question.options, count)]
            elif question is demographic:
                chosen = [question.options[group][0]]
            else:
                r = rng.random()
                cumulative = choice[(question.id, group)]
                index = next(i for i, c in enumerate(cumulative) if r <= c)
                option_id, value = question.options[index]
                chosen = [option_id]
            responses.append(
                (
                    next_id,
                    _uuid7(rng, date, micro, ordinal),
                    visit,
                    campaign.id,
                    question.id,
                    location_id,
                    channel,
                    source,
                    device_id if kiosk else None,
                    value,
                    text,
                    state,
                    answered if kiosk else None,
                    _stamp(date, micro + delay) if kiosk else answered,
                    answered,
                )
            )
            picks.extend((next_id, option_id) for option_id in chosen)
            next_id += 1
            left -= 1
        if len(responses) >= BATCH:
            yield responses, picks
            responses, picks = [], []
    if responses:
        yield responses, picks


# --- building and keeping the databases ------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A bench database ready to serve, and how it came about."""

    kind: str  # sqlite | postgresql
    size: int
    url: str
    build_seconds: float | None  # None: kept from an earlier run whose build time is lost
    kept: bool  # built by an earlier run
    build_rows: int | None = None  # the rows the build inserted


def sqlite_path(size: int) -> Path:
    return OUT / f"bench-{label(size)}.sqlite3"


def postgres_name(size: int) -> str:
    return f"kiosk_bench_{label(size)}"


def _sidecar(kind: str, size: int) -> Path:
    return OUT / f"build-{kind}-{label(size)}.json"


MIGRATIONS = ROOT / "kiosk" / "migrations" / "versions"


def migrations() -> dict[str, str]:
    """Each migration file's SHA-256: a kept database is only as current as the files it was
    built with (a migration edited since, as during its development, would not run again)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(MIGRATIONS.glob("*.py"))
    }


def _record(
    kind: str, size: int, seconds: float, rows: int, figures: dict[str, int], ran: dict[str, str]
) -> None:
    _sidecar(kind, size).write_text(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "rows_per_s": rows / seconds,
                "built": dt.date.today().isoformat(),
                "counters": figures,
                "migrations": ran,
            },
            indent=1,
        )
    )


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


# Statements built from the constants above only (no outside input).
_SQLITE_RESPONSES = (
    f"INSERT INTO response ({', '.join(COLUMNS)}) "  # noqa: S608
    f"VALUES ({_placeholders(len(COLUMNS))})"
)
_SQLITE_OPTIONS = "INSERT INTO response_option (response_id, option_id) VALUES (?, ?)"
_PG_TYPES = (
    "bigint",
    "uuid",
    "uuid",
    "int",
    "int",
    "int",
    "varchar",
    "varchar",
    "int",
    "int",
    "text",
    "varchar",
    "timestamp",
    "timestamp",
    "timestamp",
)
_PG_RESPONSES = (
    f"INSERT INTO response ({', '.join(COLUMNS)}) SELECT * FROM unnest("  # noqa: S608
    + ", ".join(f"%s::{t}[]" for t in _PG_TYPES)
    + ")"
)
_PG_OPTIONS = (
    "INSERT INTO response_option (response_id, option_id) "
    "SELECT * FROM unnest(%s::bigint[], %s::int[])"
)


def _fill(
    url: str,
    size: int,
    insert: Callable[[list[tuple[object, ...]], list[tuple[int, int]]], None],
    first_id: int,
    log: Callable[[str], None],
    only: tuple[Segment, ...] | None = None,
    kiosk_only: bool = False,
) -> int:
    """Generate the segments' answers and hand them to insert in batches; return the rows."""
    engine = make_engine(url)
    with Session(engine) as session:
        places, devices, campaigns = plans(session)
    engine.dispose()
    began, total, next_id = time.perf_counter(), 0, first_id
    for number, segment in enumerate(only or segments(size)):
        for responses, picks in generate(
            segment,
            campaigns[segment.spring],
            location_id=places[segment.code],
            device_id=None if kiosk_only else devices.get(segment.code),
            first_id=next_id,
            seed=number * 1_000_003 + segment.rows,
        ):
            insert(responses, picks)
            next_id += len(responses)
            total += len(responses)
            if total % 250_000 < len(responses):
                rate = total / (time.perf_counter() - began)
                log(f"  {total:,} rows ({rate:,.0f} rows/s)")
    return total


def _check_counters(url: str) -> dict[str, int]:
    """The counters the triggers kept must agree with the rows (a build without triggers
    would leave them empty): one scan, at build time only."""
    engine = make_engine(url)
    with engine.connect() as connection:
        one = connection.exec_driver_sql
        rows = one("SELECT count(*) FROM response").scalar_one()
        figures = {
            "responses": rows,
            "answer_count": one(
                "SELECT coalesce(sum(count), 0) FROM answer_count WHERE channel <> 'paper'"
            ).scalar_one(),
            "hour_count": one("SELECT coalesce(sum(count), 0) FROM hour_count").scalar_one(),
            "picks": one("SELECT count(*) FROM response_option").scalar_one(),
            "option_count": one(
                "SELECT coalesce(sum(count), 0) FROM option_count WHERE channel <> 'paper'"
            ).scalar_one(),
            "poster_rows": one(
                "SELECT count(*) FROM response WHERE source IS NOT NULL"
            ).scalar_one(),
            "poster_count": one("SELECT coalesce(sum(count), 0) FROM poster_count").scalar_one(),
        }
    engine.dispose()
    pairs = (
        ("responses", "answer_count"),
        ("responses", "hour_count"),
        ("picks", "option_count"),
        ("poster_rows", "poster_count"),
    )
    wrong = [f"{a}={figures[a]:,} {b}={figures[b]:,}" for a, b in pairs if figures[a] != figures[b]]
    if wrong:
        raise SystemExit(
            "counters disagree with the rows (triggers not active?): " + "; ".join(wrong)
        )
    return figures


def _served_without_statistics(connection: sqlite3.Connection) -> None:
    """Drop the ANALYZE statistics: the app never runs ANALYZE (nor PRAGMA optimize), so a
    SQLite database in service has none, and the bench serves its database the same way."""
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"
        )
    }
    with connection:
        for table in sorted(tables):
            connection.execute(f"DELETE FROM {table}")  # noqa: S608 - SQLite's own tables


def build_sqlite(size: int, log: Callable[[str], None]) -> tuple[float, int]:
    """Build bench-<size>.sqlite3 (under another name until complete); seconds and rows."""
    path = sqlite_path(size)
    building = path.with_name(f"building-{path.name}")  # no glob of path.name matches it
    for stale in OUT.glob(building.name + "*"):
        stale.unlink()
    began = time.perf_counter()
    ran = migrations()
    url = f"sqlite:///{building}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        set_up(session)
    engine.dispose()
    connection = sqlite3.connect(building)
    connection.execute("PRAGMA foreign_keys = ON")  # the generator's rows are checked too
    connection.execute("PRAGMA synchronous = OFF")  # the build only: a crash rebuilds anyway
    connection.execute("PRAGMA cache_size = -524288")  # 512 MB

    batches = 0

    def insert(responses: list[tuple[object, ...]], picks: list[tuple[int, int]]) -> None:
        nonlocal batches
        with connection:
            connection.executemany(_SQLITE_RESPONSES, responses)
            connection.executemany(_SQLITE_OPTIONS, picks)
        batches += 1
        if batches == 1:
            # Statistics for the build: without them SQLite may plan a trigger's lookup
            # on an index that scans (see _served_without_statistics).
            connection.execute("ANALYZE")

    first = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM response").fetchone()[0]
    rows = _fill(url, size, insert, first, log)
    _served_without_statistics(connection)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    figures = _check_counters(url)
    for stale in OUT.glob(path.name + "*"):
        stale.unlink()
    for part in OUT.glob(building.name + "*"):
        part.rename(OUT / part.name.replace(building.name, path.name))
    seconds = time.perf_counter() - began
    _record("sqlite", size, seconds, rows, figures, ran)
    return seconds, rows


def build_postgres(size: int, admin_url: str, log: Callable[[str], None]) -> tuple[float, int]:
    """Build the database kiosk_bench_<size> (as …_building until complete); seconds, rows."""
    name = postgres_name(size)
    building = f"{name}_building"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{building}"')
    began = time.perf_counter()
    ran = migrations()
    url = admin.url.set(database=building).render_as_string(hide_password=False)
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        set_up(session)
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("SET synchronous_commit = off")  # the build only

    batches = 0

    def insert(responses: list[tuple[object, ...]], picks: list[tuple[int, int]]) -> None:
        nonlocal batches
        cursor.execute(_PG_RESPONSES, [list(column) for column in zip(*responses, strict=True)])
        if picks:
            cursor.execute(_PG_OPTIONS, [list(column) for column in zip(*picks, strict=True)])
        raw.commit()
        batches += 1
        if batches == 1:
            cursor.execute("ANALYZE")  # as autovacuum would soon after the table began to fill
            raw.commit()

    cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM response")
    first = cursor.fetchone()[0]
    rows = _fill(url, size, insert, first, log)
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('response', 'id'), (SELECT max(id) FROM response))"
    )
    raw.commit()
    raw.close()
    engine.dispose()
    vacuum = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would have by now
    vacuum.dispose()
    figures = _check_counters(url)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    admin.dispose()
    seconds = time.perf_counter() - began
    _record("postgresql", size, seconds, rows, figures, ran)
    return seconds, rows


def ensure(
    kind: str, size: int, *, admin_url: str, rebuild: bool, log: Callable[[str], None]
) -> Built:
    """The bench database of this kind and size: kept from an earlier run (and brought up to
    the current schema) or built now."""
    OUT.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        url = f"sqlite:///{sqlite_path(size)}"
        exists = sqlite_path(size).exists()
    else:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = (
                connection.exec_driver_sql(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (postgres_name(size),)
                ).scalar()
                is not None
            )
        url = admin.url.set(database=postgres_name(size)).render_as_string(hide_password=False)
        admin.dispose()
    sidecar = _sidecar(kind, size)
    record = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    now = migrations()
    changed = sorted(
        name for name, sha in record.get("migrations", {}).items() if now.get(name) != sha
    )
    if exists and not rebuild and (changed or "migrations" not in record):
        why = (
            f"migrations changed since it was built ({', '.join(changed)})"
            if changed
            else "no record of the migrations it was built with"
        )
        log(f"{kind}: the kept {label(size)} database: {why}: building it afresh")
    elif exists and not rebuild:
        began = time.perf_counter()
        upgrade_database(url)  # new migrations since the build
        checked = time.perf_counter() - began
        log(f"{kind}: kept {label(size)} database (schema brought up to date in {checked:.1f} s)")
        return Built(
            kind, size, url, record.get("seconds"), kept=True, build_rows=record.get("rows")
        )
    log(f"{kind}: building the {label(size)} database (size {size:,} at the big place) …")
    if kind == "sqlite":
        seconds, rows = build_sqlite(size, log)
    else:
        seconds, rows = build_postgres(size, admin_url, log)
    log(f"{kind}: built {rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s)")
    return Built(kind, size, url, seconds, kept=False, build_rows=rows)


def build_node(central_url: str, path: Path, *, rows: int = 20_000) -> str:
    """A kiosk node's SQLite database, made afresh: central's configuration applied as the
    node's sync would, and rows answers of its own kiosk taken before (already sent)."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    central = make_engine(central_url)
    with Session(central) as session:
        document = config_document(session)
    central.dispose()
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        apply_config(session, document)
        session.commit()
    engine.dispose()
    connection = sqlite3.connect(path)

    def insert(responses: list[tuple[object, ...]], picks: list[tuple[int, int]]) -> None:
        with connection:
            connection.executemany(_SQLITE_RESPONSES, responses)
            connection.executemany(_SQLITE_OPTIONS, picks)

    first = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM response").fetchone()[0]
    _fill(
        url,
        rows,
        insert,
        first,
        lambda _: None,
        only=(Segment("ehp", False, rows, 1.0),),
        kiosk_only=True,
    )
    _served_without_statistics(connection)
    connection.close()
    return url
