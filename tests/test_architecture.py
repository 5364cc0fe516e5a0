"""The architecture holds by itself: import contracts, and domain code that loads no Flask."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["core", "models", "access", "safety", "setup", "collect", "results", "printing", "sync"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("results/tallies.py", "import flask", "Only the web layer and the command line use Flask"),
        ("results/tallies.py", "import kiosk.sync.devices", "Packages are layered"),
        ("web/staff/paper.py", "import kiosk.web.staff.people", "Views never import other views"),
    ],
)
def test_a_forbidden_import_is_reported(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(
        ROOT / "kiosk",
        tmp_path / "kiosk",
        ignore=shutil.ignore_patterns("*.ttf", "*.po", "*.mo", "*.pot"),
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / "kiosk" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    verdicts = [
        row.split(" (")[0]
        for row in result.stdout.splitlines()
        if " KEPT" in row or " BROKEN" in row
    ]
    broken = [row for row in verdicts if row.endswith("BROKEN")]
    assert len(verdicts) == 3 and len(broken) == 1, result.stdout
    assert broken[0].startswith(contract), result.stdout


def test_domain_packages_load_without_flask() -> None:
    """Every module of every domain package, imported in a fresh interpreter: no Flask."""
    probe = (
        "import importlib, pkgutil, sys\n"
        f"for name in {DOMAIN!r}:\n"
        "    package = importlib.import_module('kiosk.' + name)\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    ('flask', 'flask_babel', 'flask_login', 'flask_wtf', 'flask_htmx', 'kiosk.web'))\n"
        "count = sum(m.startswith('kiosk.') for m in sys.modules)\n"
        "print(count, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    count, loaded = result.stdout.split(" ", 1)
    assert int(count) > 40  # the probe really imported the domain
    assert loaded.strip() == "[]"


def test_an_option_carries_every_column_wherever_it_goes() -> None:
    """OPTION_FIELDS is the one list: the table's columns, the catalog's option, the config."""
    import dataclasses

    from kiosk.collect.catalog import CatalogOption
    from kiosk.models import OPTION_FIELDS, Option

    columns = {column.name for column in Option.__table__.columns} - {"id", "question_id"}
    assert set(OPTION_FIELDS) == columns
    assert [field.name for field in dataclasses.fields(CatalogOption)] == ["id", *OPTION_FIELDS]
