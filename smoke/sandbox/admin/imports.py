"""Setup > Import: CSV uploads."""

from __future__ import annotations

from typing import Any

from flask import request

from .. import domain
from ..auth import ctx, requires
from ..domain import DomainError
from ..forms import f
from .common import bp, fail, ok, page


@bp.route("/Setup/Import", methods=["GET", "POST"])
@requires("Import")
def import_page() -> Any:
    c = ctx()
    result = None
    if request.method == "POST":
        upload = request.files.get("File")
        text = request.form.get("CsvText", "")
        filename = "pasted.csv"
        if upload is not None and upload.filename:
            filename = upload.filename
            text = upload.read().decode("utf-8-sig", errors="replace")
        if not text.strip():
            fail("Choose a CSV file to upload.")
        else:
            try:
                result = domain.import_csv(c, f("ImportType", "usage"), text, filename)
                msg = f"Imported {result['imported']} rows, {len(result['errors'])} errors"
                (fail if result["errors"] and not result["imported"] else ok)(msg)
            except DomainError as exc:
                fail(str(exc))
    history = c.q("SELECT * FROM imports ORDER BY id DESC LIMIT 20")
    return page("import.html", result=result, history=history, kinds=domain.IMPORT_KINDS)
