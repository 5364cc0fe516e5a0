"""scripts/audit.py: a known vulnerability fails the build; nothing audited is said loudly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"


def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
SKIPPED = {"name": "alembic", "skip_reason": "Dependency not found on PyPI"}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
}


def test_a_known_vulnerability_fails() -> None:
    lines, status = audit().verdict(
        {"dependencies": [CLEAN, VULNERABLE, SKIPPED]}, pinned=3, required=False
    )
    assert status == 1
    assert lines[0] == "VULNERABLE: jinja2 3.1.2: GHSA-h5c8-rqwp-cp95"
    assert "3 pinned, 2 audited, 1 could not be looked up, 1 with known" in lines[-1]


def test_audited_and_clean_passes_and_where_required_every_pin_counts() -> None:
    assert audit().verdict({"dependencies": [CLEAN]}, pinned=1, required=True)[1] == 0
    assert audit().verdict({"dependencies": [CLEAN, SKIPPED]}, pinned=2, required=False)[1] == 0
    assert audit().verdict({"dependencies": [CLEAN, SKIPPED]}, pinned=2, required=True)[1] == 1


def test_nothing_audited_is_said_and_fails_where_required() -> None:
    report = {"dependencies": [SKIPPED, SKIPPED]}
    lines, status = audit().verdict(report, pinned=2, required=False)
    assert status == 0 and lines[-1].startswith("NOT AUDITED")
    assert audit().verdict(report, pinned=2, required=True)[1] == 1
