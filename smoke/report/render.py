"""Render the evidence report (a folder with assets, or one self-contained file) and the runs index."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from smoke.report import index as index_data
from smoke.report.frames import plan_all
from smoke.report.images import ensure_thumbnails
from smoke.report.manifest import MANIFEST, sha256_file, write_sidecar
from smoke.report.manifest import write_manifest as _write_manifest
from smoke.report.view import Images, build_view
from smoke.results import RunResult
from smoke.secrets import Scrubber

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
ASSETS = "assets"
STYLESHEET = "report.css"
SCRIPT = "report.js"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bytes"] = human_bytes
    return env


def human_bytes(size: int | float) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _run_dir(path: Path) -> Path:
    path = Path(path)
    return path.parent if path.is_file() and path.name == "results.json" else path


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _screenshots_without_thumbnails(run: RunResult, run_dir: Path) -> list[str]:
    shots = []
    for scenario in run.scenarios:
        steps = list(scenario.steps) + [s for a in scenario.attempts for s in a.steps]
        for step in steps:
            if step.screenshot and not (step.thumbnail and (run_dir / step.thumbnail).is_file()):
                shots.append(step.screenshot)
    return shots


def write_manifest(run_dir: Path) -> Path:
    """Write ``manifest.json`` with the SHA-256 of every evidence file of the run (and ``SHA256SUMS``).

    Report outputs are not in it: the report shows the manifest's hash instead, and each report file's
    own hash is written beside it (``report.html.sha256``), since a file cannot contain its own hash.
    """
    return _write_manifest(_run_dir(run_dir))


def signoff_from(signers: Sequence[str]) -> dict[str, Any] | None:
    """``--signed-off-by "NAME:ROLE"`` values as the ``signoff`` of :func:`render_report`."""
    if not signers:
        return None
    people = []
    for signer in signers:
        name, _, role = signer.partition(":")
        people.append({"name": name, "role": role, "date": ""})
    return {"signed_off_by": people}


def render_report(
    run_dir: Path,
    *,
    single_file: bool = False,
    out: Path | None = None,
    secrets: Sequence[str] = (),
    signoff: Mapping[str, Any] | None = None,
    signing_key: Any = None,
    short: bool = False,
) -> Path:
    """Render the HTML evidence report of the run in ``run_dir`` from its ``results.json``.

    Writes ``report.html`` with its stylesheet and script in ``assets/`` beside it, or with
    ``single_file`` one self-contained file (default ``report-single.html``) with the CSS inlined and
    every image embedded as a ``data:`` URI, which opens offline. Any of ``secrets`` is replaced with
    a mask wherever it would have appeared. ``signoff`` fills the sign-off section: ``release_from``,
    ``release_to``, ``environment`` and ``signed_off_by`` (a list of ``{name, role, date}``); what is
    absent is left as lines to fill in. With ``signing_key`` (a ``smoke.pack.keys.SigningKey``) the
    manifest, its attestation and the report's sidecar are signed. ``short`` writes ``report-short.html`` instead: summary,
    failures, page health, checklist, one picture per scenario and the sign-off, the page that
    ``smoke report --pdf`` prints as ``report-short.pdf``. Returns the path of the report.
    """
    run_dir = _run_dir(run_dir)
    run = RunResult.read(run_dir / "results.json")
    made = ensure_thumbnails(run_dir, _screenshots_without_thumbnails(run, run_dir))
    if made:
        for scenario in run.scenarios:
            for step in list(scenario.steps) + [s for a in scenario.attempts for s in a.steps]:
                if step.screenshot in made:
                    step.thumbnail = made[step.screenshot]

    manifest_path = _write_manifest(run_dir)
    from smoke.pack.seal import seal, sign_sidecar
    from smoke.pack.view import pack_view

    seal(run_dir, signing_key)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    default = "report-short.html" if short else "report-single.html" if single_file else "report.html"
    out = Path(out) if out else run_dir / default
    images = Images(run_dir, out.parent, embed=single_file)
    if single_file:
        # every step's screenshot stored once: full frames and the regions that changed (frames.py)
        lists = [scenario.steps for scenario in run.scenarios] + [a.steps for s in run.scenarios for a in s.attempts]
        images.frames = plan_all(
            run_dir,
            [[(st.screenshot, st.url) for st in steps if images.exists(st.screenshot)] for steps in lists],  # type: ignore[misc]
        )
    scrubber = Scrubber(secrets)
    view = build_view(
        run,
        run_dir,
        images,
        signoff=signoff,
        manifest=manifest,
        manifest_sha256=sha256_file(manifest_path),
        generated=_now(),
        scrub=scrubber.walk,
    )
    view["pack"] = scrubber.walk(pack_view(run, run_dir))
    view["single_file"] = single_file
    view["css"] = _static(STYLESHEET) if single_file else None
    view["js"] = _static(SCRIPT) if single_file else None
    view["assets"] = ASSETS
    view["manifest_name"] = MANIFEST
    view["report_name"] = out.name

    html = environment().get_template("short.html.j2" if short else "report.html.j2").render(view)
    _write_text(out, scrubber.document(html))
    if not single_file:
        assets = out.parent / ASSETS
        assets.mkdir(parents=True, exist_ok=True)
        for name in (STYLESHEET, SCRIPT):
            shutil.copyfile(STATIC / name, assets / name)
    sign_sidecar(write_sidecar(out), signing_key)
    return out


def render_index(reports_dir: Path) -> Path:
    """Write ``reports/index.html``: every run newest first, a pass/fail trend and per-scenario history."""
    reports_dir = Path(reports_dir)
    data = index_data.build_index(reports_dir)
    data["css"] = _static(STYLESHEET)
    data["generated"] = _now()
    out = reports_dir / "index.html"
    _write_text(out, environment().get_template("index.html.j2").render(data))
    return out
