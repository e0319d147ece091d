"""The dashboard's charts come from the small Plotly bundle (bar, scatter, pie), not the
4.8 MB full one, and that bundle reaches the browser compressed: every trace type the app
builds is in it, every page that draws charts loads it, and its Brotli copy is small.
Bytes on the wire and drawing times are measured by bench/page_weight.py, not here."""

import ast
import re
import shutil
from pathlib import Path

import brotli
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

from dashboard.charts import all_figures, funnel_figure, trend_figure
from dashboard.stats import figures_from_counts
from tests.dashboard.test_stats import GENDER, QUESTION, counts

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "plotly"
BUNDLE = "vendor/plotly/plotly-basic.min.js"
TEMPLATES = ROOT / "templates"
WIRE_LIMIT = 700_000  # the dashboard's whole first visit; the bundle is most of it


def registered_traces(path: Path) -> set[str]:
    """The trace modules a plotly.js bundle registers (each says moduleType "trace" and its name)."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', path.read_text(encoding="utf-8")))


def traces_in_source() -> set[str]:
    """Every go.<Trace>(...) the app's Python calls, e.g. go.Bar -> "bar"."""
    found = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "go"
                and node.func.attr not in {"Figure", "Layout"}
            ):
                found.add(node.func.attr.lower())
    return found


def built_figures() -> list[dict]:
    """One of each figure the dashboard, trends and services pages draw."""
    data = figures_from_counts(counts(), [QUESTION, GENDER], min_cell=5, report_2014={"useful": {"patient": {"yes": 65.0}}})
    data["by_service"] = [{"service": "CL", "patient": 12, "staff": 6}]
    data["by_month"] = [{"month": "2026-01", "patient": 12, "staff": 6}]
    trends = {
        "title": "Useful?",
        "label": "Yes",
        "by": "wave",
        "min_cell": 5,
        "series": [{"period": "2014", "patient": {"n": 213, "count": 139, "pct": 65.3, "ci": [58.6, 71.3]}, "staff": None}],
    }
    across = {
        "title": "Useful?",
        "label": "Yes",
        "min_cell": 5,
        "national": {"patient": {"n": 400, "count": 240, "pct": 60.0, "ci": [55.1, 64.7]}},
        "services": [
            {
                "service": "CL",
                "name": "Chadwick",
                "patient": {"n": 40, "count": 36, "pct": 90.0, "ci": [77.0, 96.0], "outside": "99.8"},
            }
        ],
        "limits": {
            "patient": [{"n": 5, "95": [17.1, 100.0], "99.8": [0.0, 100.0]}, {"n": 40, "95": [44.8, 75.2], "99.8": [36.1, 83.9]}]
        },
    }
    return [item["figure"] for item in all_figures(data)] + [trend_figure(trends), funnel_figure(across, "patient")]


def test_every_trace_type_the_app_draws_is_in_the_small_bundle():
    bundle = registered_traces(VENDOR / "plotly-basic.min.js")
    assert {"bar", "scatter"} <= bundle
    built = {trace["type"] for figure in built_figures() for trace in figure["data"]}
    assert built == {"bar", "scatter"}
    # A new go.Heatmap or go.Box in dashboard/ would draw nothing with this bundle.
    assert traces_in_source() <= bundle, f"not in {BUNDLE}: {sorted(traces_in_source() - bundle)}"


def test_every_page_that_draws_charts_loads_the_small_bundle_and_none_the_full_one():
    loading = {}
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        scripts = re.findall(r"""\{% static ['"](vendor/plotly/[^'"]+)['"] %\}""", text)
        if scripts:
            loading[template.relative_to(TEMPLATES).as_posix()] = scripts
        assert "plotly.min.js" not in text, template
    assert loading == {
        "dashboard/index.html": [BUNDLE],
        "dashboard/services.html": [BUNDLE],
        "dashboard/trends.html": [BUNDLE],
    }
    # Nothing else in static/ is a Plotly bundle, so collectstatic ships no 4.8 MB file.
    assert sorted(path.name for path in VENDOR.iterdir()) == ["LICENSE", "plotly-basic.min.js"]


def test_the_bundle_keeps_its_licence():
    head = (VENDOR / "plotly-basic.min.js").read_text(encoding="utf-8")[:300]
    assert "plotly.js (basic - minified) v4.1.1" in head and "Licensed under the MIT license" in head
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_production_storage_hashes_and_compresses_static_files():
    """collectstatic (production) writes hashed names, which whitenoise serves with a
    far-future immutable Cache-Control, and .br and .gz copies it serves by Accept-Encoding."""
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "peersurvey.storage.StaticStorage"
    assert isinstance(staticfiles_storage, CompressedManifestStaticFilesStorage)
    assert (
        getattr(settings, "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", None) is None
        or "js" not in settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS
    )
    assert Compressor(quiet=True).use_brotli, "Brotli is not installed: whitenoise would write .gz only"


def test_the_bundles_brotli_copy_is_well_under_the_pages_budget(tmp_path):
    """What collectstatic's compressor writes for the bundle (the bench measures the whole page)."""
    copy = tmp_path / "plotly-basic.min.js"
    shutil.copyfile(VENDOR / "plotly-basic.min.js", copy)
    written = {Path(path).suffix: Path(path) for path in Compressor(quiet=True).compress(str(copy))}
    assert set(written) == {".gz", ".br"}
    assert brotli.decompress(written[".br"].read_bytes()) == copy.read_bytes()
    assert written[".br"].stat().st_size < 400_000 < WIRE_LIMIT
    assert written[".gz"].stat().st_size < 450_000
