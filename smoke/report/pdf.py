"""Print the report to PDF with Chromium (paged, A4, the print stylesheet, full-size screenshots)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from smoke.report.manifest import write_sidecar

# Screenshots in the lightboxes load lazily on screen; for paper every one must be there, and the
# <details> blocks printed open: earlier attempts always, the manifest's file list while it is short
# (a thousand hashes would be forty pages; manifest.json itself is the artifact then).
_PREPARE = """
async () => {
  document.querySelectorAll('details').forEach((d) => {
    if (!d.classList.contains('manifest-files') || d.querySelectorAll('tr').length <= 300) d.open = true;
  });
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.complete ? null :
    new Promise((done) => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  await Promise.all(images.map((img) => img.decode ? img.decode().catch(() => null) : null));
  return images.filter((img) => img.naturalWidth === 0).length;
}
"""

_FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 12mm;color:#555;'
    'display:flex;justify-content:space-between">'
    '<span class="title"></span>'
    '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
    "</div>"
)


def write_pdf(html: Path, pdf: Path, launch_kwargs: dict[str, Any]) -> Path:
    """Print the HTML report ``html`` to ``pdf`` with Chromium; ``launch_kwargs`` go to ``chromium.launch``.

    The caller passes ``smoke.browser.chromium_launch_kwargs()``. Writes ``<pdf>.sha256`` beside it.
    """
    html = Path(html).resolve()
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_name(pdf.name + ".tmp")
    # Playwright's sync API refuses to start inside a running event loop, and a caller may hold one
    # (pytest-playwright's session, a sync_playwright block): printing in a thread of its own avoids both.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smoke-pdf") as pool:
        pool.submit(_print, html, tmp, dict(launch_kwargs)).result()
    tmp.replace(pdf)
    write_sidecar(pdf)
    return pdf


def _print(html: Path, out: Path, launch_kwargs: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_kwargs)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(html.as_uri(), wait_until="load")
            page.evaluate(_PREPARE)
            page.emulate_media(media="print")
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_FOOTER,
                margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"},
            )
        finally:
            browser.close()


def print_pdfs(
    run_dir: Path,
    *,
    full: bool = True,
    short: bool = True,
    signoff: Mapping[str, Any] | None = None,
    secrets: Sequence[str] = (),
    html: Path | None = None,
) -> list[Path]:
    """``report.pdf`` (every step; printed from ``html``, or a report.html rendered for it) and
    ``report-short.pdf`` (the sign-off summary) of the run in ``run_dir``; returns their paths.

    Both are printed from the folder form of the report: its screenshots are the JPEG files, which
    Chromium puts in a PDF as they are (the single file's WebP frames would be stored uncompressed).
    """
    from smoke.browser import chromium_launch_kwargs
    from smoke.report.render import render_report

    launch = chromium_launch_kwargs()
    written = []
    if full:
        source = html or render_report(run_dir, secrets=secrets, signoff=signoff)
        written.append(write_pdf(source, run_dir / "report.pdf", launch))
    if short:
        source = render_report(run_dir, secrets=secrets, signoff=signoff, short=True)
        written.append(write_pdf(source, run_dir / "report-short.pdf", launch))
    return written
