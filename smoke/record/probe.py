"""Probe a target's locators, read-only: are the elements the suite looks for on its pages?

It plans from the scenarios that do not change data: every page they ``open:`` (templates rendered
with the run's values and the first row of a ``for_each``; a page whose address needs values saved
during a run is skipped and said so) and the locators their steps use there, up to the first step
that would act (a click or a key press may leave the page; the probe never acts). It also opens the
target's login pages logged out. It then opens each page (logging in through the target's login
steps, as a run does) and counts, for each of those locators and every entry of the locator map,
the elements that match: found (one), ambiguous (several), missing (none), with the nearest
candidates on the page (roles and names, labels, test ids, texts) for a missing one.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smoke.locators import ROLE_SHORTHANDS, LocatorSpec, resolve_ref
from smoke.scenario import Scenario, Step
from smoke.values import TemplateValueError, render

# Steps that may take the browser to another page: after one, the probe no longer knows the page.
FALSY = ("", "false", "none", "0", "no")


@dataclass
class Use:
    """A step that uses a locator, and the page it is expected on."""

    where: str  # file:line:col
    scenario: str
    step: str
    page: int | None = None  # index into the visits; None: not checked
    reason: str = ""  # why not checked
    required: bool = True  # optional steps, `count: 0` and `state: hidden` expect nothing
    count: int | None = None


@dataclass
class Finding:
    name: str  # the locator-map name, or the locator as written
    locator: str  # what it finds, as a person reads it
    status: str = "not checked"  # found | missing | ambiguous | not checked
    uses: list[Use] = field(default_factory=list)
    seen_on: list[str] = field(default_factory=list)  # pages where it matched
    candidates: list[str] = field(default_factory=list)  # for a missing one: near elements, as locators
    page: str = ""  # where it was expected (for missing / ambiguous)
    note: str = ""


@dataclass
class Visit:
    url: str  # as the scenarios write it
    side: str
    role: str | None  # None: logged out
    user: str | None = None
    password: str | None = None
    opened_by: str = ""  # file:line of the open: step
    address: str = ""  # the full address opened
    status: str = "planned"  # opened | failed | skipped
    error: str = ""
    landed: str = ""  # where the browser ended up, when it was sent elsewhere (a login page, say)
    specs: list[tuple[LocatorSpec, Use]] = field(default_factory=list)
    # a page reached by following a link: the visit it is on, and the link (its href is read there)
    via: tuple[int, LocatorSpec] | None = None


@dataclass
class ProbePlan:
    visits: list[Visit] = field(default_factory=list)
    unchecked: list[tuple[LocatorSpec, Use]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # pages not opened, and why
    scenarios: list[str] = field(default_factory=list)
    # map names used by the scenarios that change data (never probed) -> those scenarios
    changing: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ProbeResult:
    target: str
    started: str
    scenarios: list[str]
    pages: list[dict[str, Any]]
    findings: list[Finding]
    skipped: list[str]

    @property
    def missing(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "missing"]

    @property
    def failed_pages(self) -> list[dict[str, Any]]:
        return [p for p in self.pages if p["status"] == "failed"]

    def counts(self) -> dict[str, int]:
        out = {"found": 0, "missing": 0, "ambiguous": 0, "not checked": 0}
        for finding in self.findings:
            out[finding.status] = out.get(finding.status, 0) + 1
        return out


# -- planning: no browser ------------------------------------------------------------------------


def _context(target: Any, data: Mapping[str, Any], row: Any = None) -> dict[str, Any]:
    # no `saved`: a template that needs a value saved during a run cannot be rendered before it
    ctx: dict[str, Any] = {
        "run": {"id": "probe", "uid": "probe", "started": "", "date": "", "attempt": 1},
        "data": data,
        "target": target.template_view(),
        "env": target.env(),
        "user": "",
        "password": "",
    }
    if row is not None:
        ctx["row"] = row
    return ctx


def _why(exc: TemplateValueError) -> str:
    text = str(exc)
    return "it needs values saved during a run" if "saved" in text else f"its template cannot be filled: {text}"


def _locators(step: Step) -> list[LocatorSpec]:
    specs = [step.locator] if step.locator is not None else []
    specs += [spec for spec in step.args.get("vars", {}).values() if isinstance(spec, LocatorSpec)]
    return specs


def _refs(spec: LocatorSpec) -> list[str]:
    inner = _refs(spec.within) if spec.within is not None else []
    return [spec.value, *inner] if spec.how == "ref" else inner


def _required(step: Step) -> bool:
    return not step.optional and step.spec.needs_element(step.args)


def plan(scenarios: Iterable[Scenario], target: Any, data: Mapping[str, Any]) -> ProbePlan:
    """Which pages to open, and which locators to expect on each (the read-only scenarios only)."""
    out = ProbePlan()
    login_sides: set[str] = set()
    for scenario in scenarios:
        if scenario.changes_data:
            for step in scenario.walk():
                for name in (ref for spec in _locators(step) for ref in _refs(spec)):
                    if scenario.slug not in out.changing.setdefault(name, []):
                        out.changing[name].append(scenario.slug)
            continue
        out.scenarios.append(scenario.slug)
        role = scenario.role if scenario.login else None
        state = _State(out, target, data, scenario, scenario.side, role)
        if role is not None:
            login_sides.add(scenario.side)
        state.walk(scenario.steps, None)
        login_sides |= state.sides
    # the login pages, logged out: where the login steps' locators are
    for side in sorted(login_sides):
        state = _State(out, target, data, None, side, None)
        state.walk(target.login.get(side, []), None)
    return out


class _State:
    def __init__(
        self,
        out: ProbePlan,
        target: Any,
        data: Mapping[str, Any],
        scenario: Scenario | None,
        side: str,
        role: str | None,
    ) -> None:
        self.out = out
        self.target = target
        self.data = data
        self.scenario = scenario
        self.name = scenario.slug if scenario else f"login ({side})"
        self.side = side
        self.role = role
        self.user: str | None = None
        self.password: str | None = None
        self.page: int | None = None
        self.reason = "no page is open yet"
        self.sides: set[str] = set()
        # a scenario with login: false logs in by itself, through a form the probe does not submit
        self.logs_in_itself = scenario is not None and not scenario.login
        self.acted = False

    def walk(self, steps: list[Step], row: Any) -> None:
        for step in steps:
            where = str(step.pos)
            kind = step.spec
            if kind.loop is not None:
                self._for_each(step, row)
                continue
            if kind.opens is not None:
                self._open(step, row, where)
                continue
            if kind.role_param is not None:
                try:
                    args = render(step.args, _context(self.target, self.data, row))
                except TemplateValueError as exc:
                    self.page, self.reason = None, f"after the role switch at {where} ({_why(exc)})"
                    continue
                self.role = str(args[kind.role_param])
                self.side = self.target.roles[self.role].side if self.role in self.target.roles else self.side
                self.sides.add(self.side)
                self.user, self.password = args.get("user") or None, args.get("password") or None
                self.page, self.reason = None, f"after the role switch at {where}: the next open: decides the page"
                continue
            for spec in _locators(step):
                use = Use(where, self.name, step.kind, self.page, self.reason, _required(step))
                if self.page is None:
                    self.out.unchecked.append((spec, use))
                else:
                    self.out.visits[self.page].specs.append((self._rendered(spec, row), use))
            if kind.follows_link and self._follow(step, row, where):
                continue
            if kind.navigates:
                self.page, self.reason = None, f"after the {step.kind} at {where} (the probe does not act)"
                self.acted = True

    def _follow(self, step: Step, row: Any, where: str) -> bool:
        """A click on a link is a page to open (its address is read from the link), not an action."""
        spec = step.locator
        if spec is None or self.page is None or step.args.get("double"):
            return False
        resolved = resolve_ref(spec, self.target.locators)
        if resolved.how != "role" or resolved.value != "link":
            return False
        visit = Visit(f"link at {where}", self.side, self.role, self.user, self.password, where)
        visit.via = (self.page, self._rendered(spec, row))
        self.out.visits.append(visit)
        self.page = len(self.out.visits) - 1
        return True

    def _rendered(self, spec: LocatorSpec, row: Any) -> LocatorSpec:
        # the row is known now, not when the page is probed
        if row is None:
            return spec
        ctx = _context(self.target, self.data, row)

        def fill(text: str | None) -> str | None:
            if text is None or "{{" not in text:
                return text
            try:
                return str(render(text, ctx))
            except TemplateValueError:
                return text

        return dataclasses.replace(
            spec,
            value=fill(spec.value) or "",
            name=fill(spec.name),
            has_text=fill(spec.has_text),
            within=self._rendered(spec.within, row) if spec.within is not None else None,
        )

    def _open(self, step: Step, row: Any, where: str) -> None:
        if self.logs_in_itself and self.acted and self.role is None:
            why = "the scenario logs in by itself (login: false) and the probe does not submit its form"
            self.out.skipped.append(f"{where}: {self.name}: page {step.args['url']!r} not opened: {why}")
            self.page, self.reason = None, f"on a page not opened ({why})"
            return
        try:
            url = str(render(step.args["url"], _context(self.target, self.data, row)))
        except TemplateValueError as exc:
            self.out.skipped.append(f"{where}: {self.name}: page {step.args['url']!r} not opened: {_why(exc)}")
            self.page, self.reason = None, f"on a page not opened ({step.args['url']!r}: {_why(exc)})"
            return
        visit = Visit(url, self.side, self.role, self.user, self.password, where)
        for index, known in enumerate(self.out.visits):
            same = (known.url, known.side, known.role, known.user) == (url, self.side, self.role, self.user)
            if same:
                self.page = index
                return
        self.out.visits.append(visit)
        self.page = len(self.out.visits) - 1

    def _for_each(self, step: Step, row: Any) -> None:
        from smoke.scenario import RowsError, rows_at

        try:
            rows = rows_at(self.data, str(step.args["data"]))
        except RowsError as exc:
            self.out.skipped.append(f"{step.pos}: {self.name}: for_each not walked: {exc.message}")
            return
        chosen = None
        for candidate in rows:
            where_text = step.args.get("where")
            if where_text:
                try:
                    value = str(render(where_text, _context(self.target, self.data, candidate)))
                except TemplateValueError:
                    continue
                if value.strip().lower() in FALSY:
                    continue
            chosen = candidate
            break
        if chosen is None:
            self.out.skipped.append(f"{step.pos}: {self.name}: for_each has no row to walk")
            return
        # one row shows the pages and their elements; every row would open the same pages again
        self.walk(step.children, chosen)
        self.page, self.reason = None, f"after the for_each at {step.pos}"


# -- candidates ----------------------------------------------------------------------------------

_ARIA_LINE = re.compile(
    r'^\s*- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?(?:\s*\[[^\]]*\])*(?::\s*(?P<text>.*))?$'
)


def page_names(snapshot: str, labels: Iterable[str], test_ids: Iterable[str]) -> list[tuple[str, str]]:
    """What a person can point at on the page, as (how, text): roles with names, labels, test ids, texts."""
    out: list[tuple[str, str]] = []
    for line in snapshot.splitlines():
        match = _ARIA_LINE.match(line)
        if not match:
            continue
        role, name, text = match["role"], match["name"], match["text"]
        if name:
            out.append((role, name.replace('\\"', '"')))
        if (role == "text" and text) or (text and not text.startswith("/") and role not in ("url",)):
            out.append(("text", text.strip().strip('"')))
    out += [("label", " ".join(label.split())) for label in labels if label.strip()]
    out += [("test_id", test_id) for test_id in test_ids if test_id]
    return list(dict.fromkeys(out))


def _as_locator(how: str, text: str) -> str:
    key = how if how in ROLE_SHORTHANDS or how in ("label", "text", "test_id") else None
    if key is None:
        return json.dumps({"role": how, "name": text}, ensure_ascii=False)
    return "{" + f"{key}: {json.dumps(text, ensure_ascii=False)}" + "}"


def nearest(spec: LocatorSpec, names: list[tuple[str, str]], n: int = 5) -> list[str]:
    """The page's elements closest to what a missing locator looks for, best first."""
    wanted = (spec.name if spec.how == "role" and spec.name else spec.value).strip().lower()
    if not wanted:
        return []
    kind = spec.value if spec.how == "role" else spec.how
    scored: list[tuple[float, str]] = []
    for how, text in names:
        ratio = difflib.SequenceMatcher(None, wanted, text.strip().lower()).ratio()
        if wanted in text.lower() or text.lower() in wanted:
            ratio = max(ratio, 0.75)
        if how == kind or (kind == "label" and how in ("textbox", "combobox", "checkbox")):
            ratio += 0.1  # the same kind of element reads as the same thing renamed
        if ratio >= 0.55:
            scored.append((ratio, _as_locator(how, text)))
    scored.sort(key=lambda item: -item[0])
    return list(dict.fromkeys(loc for _score, loc in scored))[:n]


def describe_spec(spec: LocatorSpec) -> str:
    """A locator as YAML would write it, for the report."""
    parts: dict[str, Any] = {}
    if spec.how == "role":
        if spec.name and spec.value in ROLE_SHORTHANDS:
            parts[spec.value] = spec.name
        else:
            parts["role"] = spec.value
            if spec.name:
                parts["name"] = spec.name
    else:
        parts[spec.how] = spec.value
    if spec.exact:
        parts["exact"] = True
    if spec.nth is not None:
        parts["nth"] = "last" if spec.nth == -1 else spec.nth + 1
    if spec.has_text:
        parts["has_text"] = spec.has_text
    text = "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in parts.items()) + "}"
    if spec.within is not None:
        text = text[:-1] + f", in: {describe_spec(spec.within)}" + "}"
    return text


# -- probing: the browser ------------------------------------------------------------------------


def probe(
    scenarios_dir: Path,
    target_name: str | None,
    *,
    server_url: str | None = None,
    say: Callable[[str], None] = print,
) -> ProbeResult:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from smoke import server as servers
    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence
    from smoke.locators import build
    from smoke.project import check_all, load_project, load_scenarios
    from smoke.record.session import Unreachable
    from smoke.results import ScenarioResult
    from smoke.runner import RunInfo, ScenarioFailed, ScenarioRun, WorkerSession, now_iso
    from smoke.scenario import Scenario as ScenarioModel
    from smoke.secrets import Secrets
    from smoke.yamlfile import Pos

    project = load_project(scenarios_dir)
    target = project.targets.get(target_name)
    scenarios, errors = load_scenarios(project)
    errors += check_all(project, [s for s in scenarios if not s.changes_data], target)
    if errors:
        raise errors[0]
    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    the_plan = plan(scenarios, target, project.data)
    say(f"probing {len(the_plan.visits)} pages of {len(the_plan.scenarios)} read-only scenarios on {target.name}")

    try:
        target, server = servers.serve_target(target, server_url)
    except servers.ServerError as exc:
        raise Unreachable(f"target {target.name!r}: {exc}") from None
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="smoke-probe-"))
    names_by_page: dict[int, list[tuple[str, str]]] = {}
    map_counts: dict[str, dict[int, int]] = {name: {} for name in target.locators}
    try:
        problems = servers.check_reachable([target.admin_url])
        if problems:
            raise Unreachable("target unreachable: " + "; ".join(problems))
        secrets = Secrets(target.secret_values())
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
            evidence = Evidence(work, secrets)
            session = WorkerSession(
                RunInfo("probe", now_iso(), work, scenarios_dir), target, project.data, secrets, evidence
            )
            pos = Pos(str(scenarios_dir), 1, 1)
            shell = ScenarioModel(name="probe", file=scenarios_dir / "probe", pos=pos, steps=[])
            run = ScenarioRun(
                session, shell, lambda **kw: browser.new_context(**kw), ScenarioResult("probe", "probe", "")
            )
            anonymous = browser.new_context()
            anonymous_page = anonymous.new_page()
            ctx = _context(target, project.data)
            links: dict[int, str] = {}  # visit -> the address its link leads to
            for index, visit in enumerate(the_plan.visits):
                run.side = visit.side
                if visit.via is not None:
                    _source, link = visit.via
                    if index not in links:
                        visit.status, visit.error = "skipped", f"the link {describe_spec(link)} was not found"
                        continue
                    visit.address = links[index]
                else:
                    visit.address = run.url(visit.url)
                try:
                    if visit.role is None:
                        page = anonymous_page
                    else:
                        run.switch(visit.role, user=visit.user, password=visit.password)
                        page = run.page
                    response = page.goto(visit.address)
                    if response is not None and response.status >= 400:
                        visit.status, visit.error = "failed", f"HTTP {response.status}"
                    else:
                        visit.status = "opened"
                    if urlsplit(page.url).path.rstrip("/") != urlsplit(visit.address).path.rstrip("/"):
                        visit.landed = secrets.scrub(page.url) or ""
                except ScenarioFailed as failed:
                    visit.status, visit.error = "failed", failed.error.message
                    continue
                except PlaywrightError as exc:
                    visit.status, visit.error = "failed", secrets.scrub(str(exc).splitlines()[0]) or ""
                    continue
                say(
                    f"  {visit.status:<7} {visit.address}"
                    + (f" ({visit.error})" if visit.error else "")
                    + (f" -> {visit.landed}" if visit.landed else "")
                )

                def count(spec: LocatorSpec, page: Any = page) -> int:
                    resolved = resolve_ref(spec, target.locators)
                    return int(build(page, resolved, lambda text: render(text, ctx)).count())

                for name, spec in target.locators.items():
                    try:
                        map_counts[name][index] = count(spec)
                    except (TemplateValueError, PlaywrightError):
                        continue
                for spec, use in visit.specs:
                    try:
                        use.count = count(spec)
                    except TemplateValueError as exc:
                        use.page, use.reason = None, _why(exc)
                    except PlaywrightError as exc:
                        use.count, use.reason = 0, str(exc).splitlines()[0]
                    if use.count == 0 and index not in names_by_page:
                        names_by_page[index] = _names(page)
                for later, other in enumerate(the_plan.visits):
                    if other.via is not None and other.via[0] == index:
                        href = _href(
                            page, build(page, resolve_ref(other.via[1], target.locators), lambda t: render(t, ctx))
                        )
                        if href:
                            links[later] = href
            run.close()
            anonymous.close()
            evidence.close()
            browser.close()
    finally:
        if server is not None:
            server.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    findings = _findings(the_plan, target.locators, map_counts, names_by_page)
    pages = [
        {
            "url": v.url,
            "address": secrets.scrub(v.address) or "",
            "side": v.side,
            "role": v.role or "logged out",
            "user": v.user if v.user and v.user not in secrets else None,
            "opened_by": v.opened_by,
            "status": v.status,
            "error": v.error,
            "landed": v.landed,
        }
        for v in the_plan.visits
    ]
    return ProbeResult(target.name, started_at, the_plan.scenarios, pages, findings, the_plan.skipped)


def _href(page: Any, link: Any) -> str | None:
    from urllib.parse import urljoin

    from playwright.sync_api import Error as PlaywrightError

    try:
        if link.count() == 0:
            return None
        href: str | None = link.first.get_attribute("href", timeout=2000)
    except PlaywrightError:
        return None
    if not href or href.startswith(("#", "javascript:")):
        return None
    base: str = page.url
    return urljoin(base, href)


def _names(page: Any) -> list[tuple[str, str]]:
    from playwright.sync_api import Error as PlaywrightError

    try:
        snapshot = page.locator("body").aria_snapshot(timeout=5000)
        labels = page.locator("label").all_inner_texts()
        test_ids = page.eval_on_selector_all("[data-testid]", "els => els.map(e => e.getAttribute('data-testid'))")
    except PlaywrightError:
        return []
    return page_names(snapshot, labels, [str(t) for t in test_ids])


def _findings(
    the_plan: ProbePlan,
    locators: Mapping[str, LocatorSpec],
    map_counts: Mapping[str, Mapping[int, int]],
    names_by_page: Mapping[int, list[tuple[str, str]]],
) -> list[Finding]:
    by_name: dict[str, Finding] = {name: Finding(name, describe_spec(spec)) for name, spec in locators.items()}
    pages = the_plan.visits

    def finding_for(spec: LocatorSpec) -> Finding:
        if spec.how == "ref" and spec.value in locators:
            return by_name[spec.value]
        shown = describe_spec(resolve_ref(spec, locators))
        key = f"{shown}"
        if key not in by_name:
            by_name[key] = Finding(key, shown)
        return by_name[key]

    uses: list[tuple[LocatorSpec, Use]] = [*the_plan.unchecked]
    for visit in pages:
        uses += visit.specs
    for spec, use in uses:
        finding = finding_for(spec)
        finding.uses.append(use)
        if use.page is None or use.count is None or pages[use.page].status != "opened":
            continue
        where = pages[use.page].address or pages[use.page].url
        status = "found" if use.count == 1 else ("ambiguous" if use.count > 1 else "missing")
        if status == "missing" and not use.required:
            status = "found"  # an optional check, or one that expects nothing: absence is fine
            finding.note = finding.note or f"absent on {where}, as {use.where} allows"
        rank = {"not checked": 0, "found": 1, "ambiguous": 2, "missing": 3}
        if rank[status] > rank[finding.status]:
            finding.status = status
            finding.page = where
            if status == "missing":
                finding.candidates = nearest(resolve_ref(spec, locators), names_by_page.get(use.page, []))
            if status == "ambiguous":
                finding.note = f"{use.count} elements match on {where} (a click there would refuse to guess)"
        if status in ("found", "ambiguous") and where not in finding.seen_on:
            finding.seen_on.append(where)
    for name, counts in map_counts.items():
        finding = by_name[name]
        for index, seen in counts.items():
            where = pages[index].address or pages[index].url
            if seen and where not in finding.seen_on:
                finding.seen_on.append(where)
        if finding.status == "not checked" and finding.seen_on:
            finding.status = "found"
            finding.note = "not used by the read-only scenarios; found on the pages they open"
        elif finding.status == "not checked" and not finding.uses:
            users = the_plan.changing.get(name)
            finding.note = (
                f"used only by scenarios that change data ({', '.join(users)}): run them on staging to check it"
                if users
                else "not used by the read-only scenarios, and not on the pages they open"
            )
    for finding in by_name.values():
        if finding.status == "not checked" and not finding.note and finding.uses:
            finding.note = finding.uses[0].reason
    order = {"missing": 0, "ambiguous": 1, "not checked": 2, "found": 3}
    return sorted(by_name.values(), key=lambda f: (order[f.status], f.name))


# -- the report ----------------------------------------------------------------------------------


def write_report(result: ProbeResult, out_dir: Path) -> Path:
    """probe.json and probe.html in ``out_dir``; returns the HTML's path."""
    import jinja2

    out_dir.mkdir(parents=True, exist_ok=True)
    data = dataclasses.asdict(result)
    data["counts"] = result.counts()
    (out_dir / "probe.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    html = env.get_template("probe.html.j2").render(result=data)
    path = out_dir / "probe.html"
    path.write_text(html, encoding="utf-8")
    return path
