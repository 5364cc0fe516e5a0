"""No IP address or user agent is kept: traffic through gunicorn with the shipped settings
(deploy/gunicorn.conf.py), then every row of every table and both logs are searched for them.
The privacy page says what is stored, in German and English.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from kiosk.core.logscrub import scrub
from kiosk.models import Base
from kiosk.models.engine import make_engine
from kiosk.safety.safeguards import VOTER_COOKIE
from tests.test_public_views import hidden, option_ids
from tests.test_sync_e2e import demo_on_postgres, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
AGENT = "Zeppelin/9.9 (Marker-Browser; unique-ua-4711)"
FORWARDED = "203.0.113.77"  # what a client may claim to be
ADDRESSES = re.compile(r"127\.0\.0\.1|203\.0\.113\.77|::1\b|::ffff:")


def _traffic(base: str) -> None:
    headers = {"User-Agent": AGENT, "X-Forwarded-For": FORWARDED, "X-Real-IP": FORWARDED}
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def send(path: str, form: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310
        try:
            with opener.open(request, timeout=10) as answer:
                return str(answer.read().decode())
        except urllib.error.HTTPError as error:
            return str(error.read().decode())

    page = send("/q/ehp")
    fields = {name: hidden(page, name) for name in ("csrf_token", "visit", "uuid", "question")}
    send("/q/ehp/answer", fields | {"option": option_ids(page)[0]})
    send("/q/ehp/answer", fields | {"option": "999999"})  # a bad answer: a 4xx
    send("/k/ehp")
    login = {"csrf_token": hidden(send("/staff/login"), "csrf_token")}
    send("/staff/login", login | {"email": "demo@example.org", "password": "wrong"})
    send("/api/v1/config")  # no token: 401
    send("/does-not-exist")
    # A request gunicorn cannot parse: it logs "Invalid request from ip=…".
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"GARBAGE \x00\x01 nonsense\r\n\r\n")
        raw.recv(1024)


def test_no_address_or_user_agent_in_the_database_or_the_logs(
    postgres_url: str, tmp_path: Path
) -> None:
    demo_on_postgres(postgres_url)
    port = free_port()
    out, err = tmp_path / "access.log", tmp_path / "error.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "wsgi:app",
            ],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "KIOSK_BIND": f"127.0.0.1:{port}",
                "KIOSK_DATABASE_URL": postgres_url,
                "KIOSK_SECRET_KEY": secrets.token_hex(32),
                "KIOSK_KIOSK_COOLDOWN_SECONDS": "0",
            },
            stdout=stdout,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base)
            _traffic(base)
        finally:
            server.terminate()
            server.wait(timeout=30)

    logs = out.read_text() + err.read_text()
    assert "POST /q/ehp/answer" in logs  # the access log was written, and read here
    assert "Invalid request from ip=[address]" in logs  # the line that would name the client
    assert not ADDRESSES.search(logs), ADDRESSES.search(logs)
    assert "unique-ua-4711" not in logs and "Zeppelin" not in logs

    found: list[str] = []
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        # The traffic arrived: the answer, and the failed login's throttle row.
        assert connection.scalar(sa.text("SELECT count(*) FROM response")) == 1
        assert connection.scalar(sa.text("SELECT count(*) FROM login_failure")) == 1
        rows = 0
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                rows += 1
                text = " ".join(str(value) for value in row)
                if ADDRESSES.search(text) or "unique-ua-4711" in text or "Zeppelin" in text:
                    found.append(f"{table.name}: {text[:200]}")
    engine.dispose()
    assert rows > 30 and found == []


def test_the_log_filter_blanks_every_kind_of_address() -> None:
    for line, kept in [
        ("Invalid request from ip=203.0.113.7: bad request line", "Invalid request from ip="),
        ("client ::1 went away", "client "),
        ("peer 2001:db8:85a3::8a2e:370:7334 reset", "peer "),
        ("from fe80:0:0:0:202:b3ff:fe1e:8329", "from "),
    ]:
        cleaned = scrub(line)
        assert "[address]" in cleaned and cleaned.startswith(kept), line
        assert not re.search(r"\d+\.\d+\.\d+\.\d+|[0-9a-f]*::[0-9a-f]", cleaned), cleaned
    for harmless in ("took 12:30:45", "version 1.2.3", "uuid 01a1ff22-1155-7e20-ba6a-b85de9e0837f"):
        assert scrub(harmless) == harmless


def test_the_privacy_page_says_what_is_stored_in_german_and_english(client: FlaskClient) -> None:
    german = client.get("/privacy")
    assert german.status_code == 200
    assert "Datenschutz" in german.text and "IP-Adressen" in german.text
    assert VOTER_COOKIE in german.text and "<code>session</code>" in german.text
    english = client.get("/privacy?lang=en").text
    assert "IP addresses" in english and VOTER_COOKIE in english
    # The phone pages and the front page link to it; the kiosk does not leave its flow.
    assert 'href="/privacy"' in client.get("/q/ehp").text
    assert 'href="/privacy"' in client.get("/").text
    assert 'href="/privacy"' not in client.get("/k/ehp").text


def test_the_privacy_page_names_the_retention_period_and_the_rights(
    app: Flask, client: FlaskClient
) -> None:
    app.config["PRIVACY_CONTACT"] = "datenschutz@example.org"
    german = " ".join(client.get("/privacy").text.split())
    assert "Nach 365 Tagen wird die Besuchsnummer gelöscht" in german
    assert "DSGVO" in german and "Schreiben Sie an: datenschutz@example.org." in german
    assert "höchstens 300 Antworten in 10 Minuten" in german  # the rate limits
    app.config["RETENTION_DAYS"] = 0
    english = " ".join(client.get("/privacy?lang=en").text.split())
    assert "has not set a period" in english and "GDPR" in english
