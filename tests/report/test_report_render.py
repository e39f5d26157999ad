from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

from smoke.report.manifest import verify_manifest
from smoke.report.render import STATIC, render_report, write_manifest
from smoke.results import RunResult, ScenarioResult, StepResult
from smoke.secrets import MASK, Scrubber
from tests.report.helpers import SECRETS, Elements
from tests.report.synthetic import make_synthetic_run


def _render(run_dir: Path, **kwargs: object) -> tuple[str, Elements]:
    path = render_report(run_dir, **kwargs)  # type: ignore[arg-type]
    text = path.read_text(encoding="utf-8")
    return text, Elements(text)


def test_verdict_and_counts(synthetic_run: Path) -> None:
    text, _ = _render(synthetic_run)
    run = RunResult.read(synthetic_run / "results.json")
    counts = run.count()
    assert counts["failed"] == 1 and counts["flaky"] == 1 and counts["skipped"] == 1
    assert 'class="verdict-headline">FAILED</p>' in text
    assert f"1 of {counts['total']} scenarios failed." in text
    tiles = dict(re.findall(r'data-count="([a-z-]+)"><span class="tile-value">(\d+)</span>', text))
    assert tiles == {
        "passed": str(counts["passed"]),
        "failed": "1",
        "skipped": "1",
        "flaky": "1",
        "total": str(counts["total"]),
    }
    for fact in (
        run.release,
        run.target["admin_url"],
        run.target["portal_url"],
        "qa@smoke-runner-01",
        run.revision,
        "Chromium 131.0.6778.85 (headless)",
        "2026-11-26 02:00:00 UTC",
    ):
        assert html.escape(str(fact)) in text, fact


def test_the_failure_is_at_the_top_with_its_screenshot_and_message(synthetic_run: Path) -> None:
    text, _ = _render(synthetic_run)
    run = RunResult.read(synthetic_run / "results.json")
    failed = next(s for s in run.scenarios if s.status == "failed")
    assert failed.error is not None
    failures_at = text.index('id="failures"')
    assert failures_at < text.index('id="checklist"') < text.index('id="scenarios"')
    section = text[failures_at : text.index('id="checklist"')]
    assert html.escape(failed.error.message) in section
    assert "$120.00" in section and "$95.00" in section  # expected vs shown
    shot = next(s for s in failed.steps if s.index == failed.failed_step).screenshot
    assert shot and f'src="{shot}"' in section
    assert "Browser console errors (2)" in section and "Failed network requests (2)" in section
    assert 'href="traces/diverse_accounts.zip" download' in section
    assert "playwright show-trace reports/20261126-020000/traces/diverse_accounts.zip" in section


def test_every_step_has_an_image_that_opens_the_full_screenshot(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    run = RunResult.read(synthetic_run / "results.json")
    steps = [step for s in run.scenarios for step in s.steps + [x for a in s.attempts for x in a.steps]]
    assert len(steps) > 80  # the steps plus the flaky scenario's first attempt
    thumbs = doc.find("a", class_="thumb")
    assert len(thumbs) == len(steps)
    boxes = {b["id"]: b for b in doc.find("div", class_="lightbox")}
    for link in thumbs:
        assert link["href"].lstrip("#") in boxes
    srcs = {img["src"] for img in doc.find("img")}
    for step in steps:
        assert step.screenshot in srcs and step.thumbnail in srcs
        assert (synthetic_run / step.screenshot).is_file()
    assert "No screenshot" not in text


def test_checklist_table(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    rows = {r["id"][3:]: r for r in doc.find("tr") if r.get("id", "").startswith("cl-")}
    run = RunResult.read(synthetic_run / "results.json")
    assert set(rows) == {c.id for c in run.checklist}
    assert rows["diverse-accounts"]["data-status"] == "failed"
    assert "stands-out" in rows["diverse-accounts"]["class"]
    assert rows["account-data"]["data-status"] == "failed"  # one of its two scenarios failed
    assert rows["tickets"]["data-status"] == "passed"  # covered by the flaky scenario
    assert "stands-out" not in rows["tickets"]["class"]
    assert rows["sign-off"]["data-status"] == "not covered"
    assert "stands-out" not in rows["sign-off"]["class"]  # not required
    row = text[text.index('id="cl-provisioning"') :].split("</tr>")[0]
    assert "Portal signup creates an account and a user-package" in row
    assert "Provisioning queue is drained" in row


def test_required_item_without_passing_coverage_stands_out(tmp_path: Path) -> None:
    run_dir = make_synthetic_run(tmp_path / "run", steps=30, failures=0)
    run = RunResult.read(run_dir / "results.json")
    run.scenarios = [s for s in run.scenarios if "data-import" not in s.checklist]
    run.write(run_dir / "results.json")
    text, doc = _render(run_dir)
    row = next(r for r in doc.find("tr") if r.get("id") == "cl-data-import")
    assert row["data-status"] == "not covered" and "stands-out" in row["class"]
    assert 'class="verdict-headline">INCOMPLETE</p>' in text
    assert 'href="#cl-data-import"' in text


def test_passing_run_says_passed(tmp_path: Path) -> None:
    run_dir = make_synthetic_run(tmp_path / "run", steps=40, failures=0, flaky=False)
    text, _ = _render(run_dir)
    assert 'class="verdict-headline">PASSED</p>' in text
    assert 'id="failures"' not in text


def test_differences_are_highlighted(tmp_path: Path) -> None:
    run_dir = make_synthetic_run(
        tmp_path / "run", steps=40, failing=["diverse_accounts", "role_permissions", "payments"]
    )
    text, doc = _render(run_dir)
    diffs = doc.find("td", class_="diff")
    assert len(diffs) == 3
    accounts = text[text.index("Accounts: expected (production) vs shown (staging)") :]
    cell = accounts[accounts.index('<td class="diff') : accounts.index("</td>", accounts.index('<td class="diff'))]
    assert "$120.00" in cell and '<mark class="diff-shown">$95.00</mark>' in cell
    assert "balance differs from production" in accounts
    grid = text[text.index("Role x function permissions") :]
    assert "kind-permissions" in text and 'class="grant"' in grid and 'class="deny"' in grid
    assert '<mark class="diff-shown">no</mark>' in grid
    assert "Payments per processor" in text and '<mark class="diff-shown">declined</mark>' in text


def test_secrets_are_scrubbed_from_every_file_written(synthetic_run: Path, files_snapshot) -> None:  # type: ignore[no-untyped-def]
    before = files_snapshot(synthetic_run)
    # the recorded results carry the secrets (a careless step), the report must not
    assert SECRETS[0] in (synthetic_run / "results.json").read_text(encoding="utf-8")
    render_report(synthetic_run, secrets=SECRETS)
    render_report(synthetic_run, secrets=SECRETS, single_file=True)
    after = files_snapshot(synthetic_run)
    written = [p for p, mtime in after.items() if before.get(p) != mtime]
    assert {p.name for p in written} >= {
        "report.html",
        "report-single.html",
        "manifest.json",
        "SHA256SUMS",
        "report.css",
        "report.js",
        "report.html.sha256",
    }
    forms = set()
    for secret in SECRETS:
        forms |= {secret, html.escape(secret), html.escape(secret, quote=False)}
    forms |= {"4111 1111 1111 1111", "4111-1111-1111-1111"}
    for path in written:
        data = path.read_bytes()
        for form in forms:
            assert form.encode() not in data, f"{form!r} in {path}"
    text = (synthetic_run / "report.html").read_text(encoding="utf-8")
    assert f"Fill &#39;Password&#39; with {MASK}" in text


def test_single_file_has_no_external_references_and_embeds_images(synthetic_run: Path) -> None:
    path = render_report(synthetic_run, single_file=True)
    assert path == synthetic_run / "report-single.html"
    text = path.read_text(encoding="utf-8")
    doc = Elements(text)
    assert not doc.find("link") and all("src" not in s for _, s in doc.tags if _ == "script")
    images = doc.find("img")
    assert len(images) > 80
    assert all(
        img["src"].startswith(("data:image/jpeg;base64,", "data:image/png;base64,", "data:image/webp;base64,"))
        for img in images
    )
    assert not re.search(r"""(src|srcset)=["'](?!data:)""", text)
    assert not re.search(r"url\((?!data:)", text)
    assert "@import" not in text and "<style>" in text
    assert "Content-Security-Policy" in text
    # inlined as written: escaping would turn its quotes into entities and break the fonts
    assert (STATIC / "report.css").read_text(encoding="utf-8") in text
    assert (STATIC / "report.js").read_text(encoding="utf-8") in text
    # every anchor inside the page points at an id that exists
    ids = {attrs["id"] for _, attrs in doc.tags if "id" in attrs}
    for _, attrs in doc.tags:
        href = attrs.get("href", "")
        if href.startswith("#") and href != "#":
            assert href[1:] in ids, href
    assert not (synthetic_run / "assets").exists()


def test_manifest_hashes_match_the_files(synthetic_run: Path) -> None:
    manifest_path = write_manifest(synthetic_run)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    evidence = {p.relative_to(synthetic_run).as_posix() for p in synthetic_run.rglob("*") if p.is_file()}
    assert "results.json" in listed and "junit.xml" in listed and "traces/diverse_accounts.zip" in listed
    assert set(listed) == evidence - {"manifest.json", "SHA256SUMS"}
    for rel, entry in listed.items():
        data = (synthetic_run / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    sums = (synthetic_run / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(listed) and sums[0].split("  ")[1] in listed
    # the report shows the manifest's hash; the report's own hash is in its sidecar
    report = render_report(synthetic_run)
    shown = re.search(r'id="manifest-sha256">([0-9a-f]{64})<', report.read_text(encoding="utf-8"))
    assert shown and shown.group(1) == hashlib.sha256((synthetic_run / "manifest.json").read_bytes()).hexdigest()
    sidecar = (synthetic_run / "report.html.sha256").read_text().split()
    manifest_sha = hashlib.sha256((synthetic_run / "manifest.json").read_bytes()).hexdigest()
    assert sidecar == [hashlib.sha256(report.read_bytes()).hexdigest(), "report.html", manifest_sha, "manifest.json"]
    assert verify_manifest(synthetic_run) == []
    # rendering again changes no evidence and so not the manifest
    before = (synthetic_run / "manifest.json").read_bytes()
    render_report(synthetic_run, single_file=True)
    assert (synthetic_run / "manifest.json").read_bytes() == before
    shot = synthetic_run / manifest["files"][-1]["path"]
    shot.write_bytes(shot.read_bytes() + b"x")
    (synthetic_run / "shots" / "added.jpg").write_bytes(b"new")
    problems = {(p.path, p.problem) for p in verify_manifest(synthetic_run)}
    assert problems == {(manifest["files"][-1]["path"], "changed"), ("shots/added.jpg", "not in manifest")}


def test_signoff_section(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    assert len(doc.find("tr", class_="blank")) == 3
    assert "read from the server: 8.5.26.5" in text
    signoff = {
        "release_from": "8.5.25.3",
        "release_to": "8.5.26.5",
        "environment": "staging-east",
        "signed_off_by": [
            {"name": "Dana Ops", "role": "Billing manager", "date": "2026-11-27"},
            {"name": "Lee <QA>", "role": "QA lead", "date": "2026-11-27"},
        ],
    }
    text, doc = _render(synthetic_run, signoff=signoff)
    section = text[text.index('id="signoff"') :]
    for value in ("8.5.25.3", "staging-east", "Dana Ops", "Billing manager", "Lee &lt;QA&gt;"):
        assert value in section
    assert not doc.find("tr", class_="blank")


def test_flaky_attempts_are_linked(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    attempts = doc.find("details", class_="attempt")
    assert len(attempts) == 1
    assert f'href="#{attempts[0]["id"]}"' in text
    assert "Timed out after 10 s waiting for the &#39;Save&#39; button to be enabled" in text


def test_failures_only_filter_needs_no_script(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    toggle = doc.find("input", id="only-failures")
    assert toggle and toggle[0]["type"] == "checkbox"
    # the checkbox comes before <main> so that `:checked ~ main` selectors can hide passing scenarios
    assert text.index('id="only-failures"') < text.index("<main")
    css = (synthetic_run / "assets" / "report.css").read_text(encoding="utf-8")
    assert ".filter-toggle:checked ~ main .not-failure" in css and "@media print" in css
    scenarios = doc.find("article", class_="scenario")
    assert [s["data-status"] for s in scenarios if "is-failure" in s["class"]] == ["failed"]


def test_text_is_escaped_and_missing_evidence_shown(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run = RunResult(
        id="r1",
        started="2026-11-26T02:00:00+00:00",
        status="passed",
        scenarios=[
            ScenarioResult(
                nodeid="x.yaml::<script>alert(1)</script>",
                name="<script>alert(1)</script>",
                file="x.yaml",
                status="passed",
                steps=[
                    StepResult(
                        index="1",
                        kind="open",
                        caption="Open <b>",
                        status="passed",
                        started="2026-11-26T02:00:00+00:00",
                        duration_s=0.1,
                        screenshot="shots/gone.jpg",
                    ),
                    StepResult(
                        index="2",
                        kind="call",
                        caption="Custom check",
                        status="passed",
                        started="2026-11-26T02:00:01+00:00",
                        duration_s=0.1,
                    ),
                ],
            )
        ],
    )
    run.write(run_dir / "results.json")
    text, _ = _render(run_dir)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Open &lt;b&gt;" in text
    assert "Screenshot missing: <code>shots/gone.jpg</code>" in text and "No screenshot" in text
    # no checklist recorded: the engine carries none of its own, so nothing is required
    assert 'class="verdict-headline">PASSED</p>' in text


def test_missing_thumbnails_are_made(synthetic_run: Path) -> None:
    run = RunResult.read(synthetic_run / "results.json")
    step = run.scenarios[0].steps[0]
    assert step.thumbnail
    (synthetic_run / step.thumbnail).unlink()
    step.thumbnail = None
    run.write(synthetic_run / "results.json")
    text, _ = _render(synthetic_run)
    assert (synthetic_run / "shots" / "thumbs" / (Path(step.screenshot or "").stem + ".jpg")).is_file()
    assert f'src="shots/thumbs/{Path(step.screenshot or "").stem}.jpg"' in text


def test_report_written_elsewhere_links_back_to_the_run(synthetic_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "evidence.html"
    path = render_report(synthetic_run, out=out)
    assert path == out and (out.parent / "assets" / "report.css").is_file()
    text = out.read_text(encoding="utf-8")
    assert 'src="../reports/20261126-020000/shots/' in text


def test_a_run_without_checklist_or_scenarios_renders(tmp_path: Path) -> None:
    run_dir = tmp_path / "empty"
    run_dir.mkdir()
    RunResult(id="empty", started="2026-11-26T02:00:00Z", status="interrupted", interrupted="target unreachable").write(
        run_dir / "results.json"
    )
    text, doc = _render(run_dir)
    assert 'class="verdict-headline">INTERRUPTED</p>' in text and "target unreachable" in text
    rows = [r for r in doc.find("tr") if r.get("id", "").startswith("cl-")]
    assert len(rows) == 0  # the checklist comes from checklist.yaml only; this run recorded none


def test_a_run_without_a_checklist_has_no_checklist_section(tmp_path: Path) -> None:
    # a project with no checklist.yaml whose scenarios name no item: nothing to cover, so no section
    # (an empty table under "Every required item is covered" would claim coverage nobody asked for)
    run_dir = tmp_path / "plain"
    run_dir.mkdir()
    scenario = ScenarioResult(nodeid="s.yaml::Home", name="Home", file="s.yaml", status="passed")
    RunResult(id="plain", started="2026-11-26T02:00:00Z", scenarios=[scenario]).write(run_dir / "results.json")
    for short in (False, True):
        text, _ = _render(run_dir, short=short)
        assert 'class="verdict-headline">PASSED</p>' in text
        assert 'id="checklist"' not in text and 'href="#checklist"' not in text
        assert "Checklist coverage" not in text and "Every required item is covered" not in text


def test_a_scenario_naming_an_item_shows_the_section_even_without_a_checklist_file(tmp_path: Path) -> None:
    run_dir = tmp_path / "named"
    run_dir.mkdir()
    scenario = ScenarioResult(
        nodeid="s.yaml::Home", name="Home", file="s.yaml", status="passed", checklist=["home-page"]
    )
    RunResult(id="named", started="2026-11-26T02:00:00Z", scenarios=[scenario]).write(run_dir / "results.json")
    text, doc = _render(run_dir)
    assert 'href="#checklist"' in text and "Checklist coverage" in text
    assert [r["id"] for r in doc.find("tr") if r.get("id", "").startswith("cl-")] == ["cl-home-page"]
    assert "(not in the checklist file)" in text


def test_scrubber_masks_the_usual_spellings_of_a_secret() -> None:
    scrub = Scrubber(["4111111111111111", "p&ss<word>", "", "abc"])
    assert scrub.text("card 4111 1111 1111 1111 and 4111-1111-1111-1111") == f"card {MASK} and {MASK}"
    assert scrub.text("p&ss<word> / p%26ss%3Cword%3E") == f"{MASK} / {MASK}"
    assert scrub.document("<td>p&amp;ss&lt;word&gt;</td>") == f"<td>{MASK}</td>"
    # a very short secret is masked in texts, but the whole-document pass would wreck the markup
    assert scrub.text("abc") == MASK and scrub.document("<abbr>abc</abbr>") == "<abbr>abc</abbr>"
    assert scrub.walk({"caption": "4111111111111111", "thumb_src": "shots/4111111111111111.jpg"}) == {
        "caption": MASK,
        "thumb_src": "shots/4111111111111111.jpg",
    }


def test_a_partial_pass_is_not_shown_as_a_green_pass(tmp_path: Path) -> None:
    run_dir = make_synthetic_run(tmp_path / "run", steps=30, failures=0, flaky=False)
    run = RunResult.read(run_dir / "results.json")
    run.scenarios = run.scenarios[:2]
    run.selection = True
    run.verdict = ""  # decided again from the results
    run.write(run_dir / "results.json")
    text, _ = _render(run_dir)
    assert 'class="verdict-headline">PASSED (partial: ' in text
    assert 'class="verdict verdict-incomplete"' in text and "verdict-pass" not in text
    assert "do not sign this run off as approved" in text


def test_single_file_embeds_a_shot_that_several_steps_share_once(synthetic_run: Path) -> None:
    """A step that changed nothing points at its page's last shot (evidence reuse): the single file
    stores that frame once, and the later steps open it as states of that frame."""
    results = json.loads((synthetic_run / "results.json").read_text(encoding="utf-8"))
    steps = results["scenarios"][0]["steps"]
    numbers = [n for n, step in enumerate(steps, start=1) if step.get("screenshot")][:3]
    first = steps[numbers[0] - 1]
    for n in numbers[1:]:
        steps[n - 1]["screenshot"], steps[n - 1]["thumbnail"] = first["screenshot"], first.get("thumbnail")
    (synthetic_run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    text = render_report(synthetic_run, single_file=True).read_text(encoding="utf-8")
    scenario = text[text.index('id="s1"') : text.index('id="s2"')]
    frame = re.search(rf'id="s1-st{numbers[0]}-shot".*?<img src="(data:image/webp;base64,[^"]+)"', scenario, re.S)
    assert frame, "the first step's screenshot is no frame"
    assert scenario.count(frame.group(1)) == 1, "the shared frame is embedded more than once"
    for n in numbers[1:]:  # the others open it: a state inside the first step's lightbox
        assert re.search(rf'<div class="lb-state" id="s1-st{n}-shot"', scenario), n
