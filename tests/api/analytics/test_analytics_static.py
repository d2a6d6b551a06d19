"""The dashboard's chart library is the pinned, vendored Chart.js, served by the gateway itself
(no CDN, no build step): its file, version, licence and the console's references to it."""

from __future__ import annotations

import hashlib
import re

from api.routes.console import STATIC_DIR

VENDOR = STATIC_DIR / "vendor" / "chart.js"
VERSION = "4.6.2"
# SHA-256 of dist/chart.umd.min.js in chart.js@4.6.2 from the npm registry.
SHA256 = "3f288f4f26882c26b58931fb586a9b4f30370b5de38d69dc005b0bd05b08e113"


def test_the_vendored_chart_js_is_the_pinned_release_with_its_licence():
    built = (VENDOR / "chart.umd.min.js").read_bytes()
    assert hashlib.sha256(built).hexdigest() == SHA256
    assert f"Chart.js v{VERSION}".encode() in built[:200]
    assert "MIT License" in (VENDOR / "LICENSE.md").read_text(encoding="utf-8")
    assert f"chart.js@{VERSION}" in (VENDOR / "README.md").read_text(encoding="utf-8")


def test_the_console_loads_the_dashboard_from_the_gateway_only():
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/console/static/vendor/chart.js/chart.umd.min.js" in sources
    assert "/console/static/dashboard.js" in sources and "/console/static/dashboard.css" in sources
    assert not [source for source in sources if "//" in source]  # nothing from another origin
    assert 'id="analytics"' in page
