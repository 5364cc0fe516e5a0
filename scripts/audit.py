"""Audit the pinned dependencies (constraints.txt) for known vulnerabilities with pip-audit.

Fails when a pinned version has a known vulnerability. pip-audit asks an advisory service
(PyPI's JSON API, or OSV); a package it cannot look up is reported as skipped, and when it
could look up none at all (a build machine without that access), nothing was audited: this
says so loudly. With KIOSK_AUDIT_REQUIRED=1 (set it where the service is reachable) every
pinned package must have been looked up, so that a green run always means "audited".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run pip-audit over constraints.txt; return the exit status for make."""
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "kiosk"))
    ]
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("\n".join(pins) + "\n")
        report = Path(scratch) / "audit.json"
        run = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
            [
                str(Path(sys.executable).parent / "pip-audit"),
                "--requirement",
                str(requirements),
                "--no-deps",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if not report.exists():
            print(run.stderr, file=sys.stderr)
            print("pip-audit failed to run", file=sys.stderr)
            return 1
        found = json.loads(report.read_text())
    lines, status = verdict(
        found, pinned=len(pins), required=os.environ.get("KIOSK_AUDIT_REQUIRED") == "1"
    )
    for line in lines:
        print(line, file=sys.stderr if line.startswith("NOT AUDITED") else sys.stdout)
    return status


def verdict(found: dict[str, Any], *, pinned: int, required: bool) -> tuple[list[str], int]:
    """What pip-audit's JSON report says, as lines to print, and the exit status."""
    dependencies = found.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = len(dependencies) - len(skipped)
    lines = [
        f"VULNERABLE: {d['name']} {d.get('version')}: " + ", ".join(v["id"] for v in d["vulns"])
        for d in vulnerable
    ]
    lines.append(
        f"pip-audit: {pinned} pinned, {audited} audited, {len(skipped)} could not be "
        f"looked up, {len(vulnerable)} with known vulnerabilities"
    )
    if vulnerable:
        return lines, 1
    if required and skipped:
        lines.append(f"NOT AUDITED: {len(skipped)} pinned packages could not be looked up.")
        return lines, 1
    if audited == 0:
        lines.append(
            "NOT AUDITED: no advisory service answered for any package (no access from this "
            "machine). Set KIOSK_AUDIT_REQUIRED=1 where it has access, to fail in this case."
        )
        return lines, 1 if required else 0
    return lines, 0


if __name__ == "__main__":
    sys.exit(main())
