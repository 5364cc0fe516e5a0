"""axe-core, the accessibility engine, from the npm registry: pinned, checked, cached.

The browser tests inject it into every page (as an init script: a page's CSP does not apply)
and fail on any violation of the WCAG 2.2 A/AA rules it checks.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

from playwright.sync_api import Page

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# The registry's dist.integrity for this version (`npm view axe-core@4.14.1 dist.integrity`).
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="  # noqa: E501
CACHE = Path(__file__).resolve().parent.parent / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what BITV 2.0 (via EN 301 549) asks.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_source() -> str:
    """axe.min.js of the pinned version, downloaded once and checked against its integrity."""
    if not CACHE.exists():
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            tarball = response.read()
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        if digest != INTEGRITY:
            raise RuntimeError(f"axe-core {VERSION}: integrity {digest} is not {INTEGRITY}")
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None
            source = member.read()
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(source)
    return CACHE.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """The page's WCAG A/AA violations as readable lines (rule, impact, where, what)."""
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: "
                    + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300)),
            }));
        }""",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["nodes"])
        for v in found
    ]
