"""A browser without a browser: fake Playwright Browser / BrowserContext / Page / Locator objects
over a tiny in-memory site, so the runner's and the plugin's logic run in milliseconds.

A site is a dict of paths to page functions; a page function gets the browser context (its logged
in user, the site's counters) and returns the page's elements. Locators are resolved lazily
against the page's current elements, like Playwright's, with its strictness: an action on no
element times out at once, on several it is a strict mode violation. Playwright's ``expect()``
drives real pages through its driver, so :func:`fake_expect` teaches it to assert on these fakes
with the same semantics (an assertion that does not hold raises AssertionError, immediately:
nothing on a fake page changes by itself, so there is nothing to wait for).

Only what ``smoke.runner`` and the step kinds call is here; anything else raises AttributeError,
which a test sees as an error rather than a silent pass.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

TAG_ROLES = {
    "button": "button",
    "a": "link",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "select": "combobox",
    "table": "table",
    "tr": "row",
    "td": "cell",
    "th": "columnheader",
    "li": "listitem",
    "textarea": "textbox",
}
FORM_TAGS = ("input", "textarea", "select")


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(eq=False)
class El:
    """One element of a fake page; ``label`` is its form label, ``name`` its accessible name."""

    tag: str = "div"
    text: str = ""
    id: str | None = None
    role: str | None = None
    name: str | None = None
    label: str | None = None
    test_id: str | None = None
    placeholder: str | None = None
    value: str | None = None
    checked: bool = False
    hidden: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)  # a <select>'s (label, value)
    children: list[El] = field(default_factory=list)
    on_click: Callable[[FakePage], None] | None = None
    on_key: Callable[[FakePage, str], None] | None = None
    parent: El | None = field(default=None, repr=False)

    @property
    def aria_role(self) -> str | None:
        if self.role:
            return self.role
        if self.tag == "input":
            kind = self.attrs.get("type", "text")
            return {"checkbox": "checkbox", "radio": "radio", "file": None}.get(kind, "textbox")
        return TAG_ROLES.get(self.tag)

    def inner_text(self) -> str:
        if self.hidden:
            return ""
        parts = [self.text] if self.text else []
        joiner = "\t" if self.tag == "tr" else " "
        parts += [child.inner_text() for child in self.children]
        return joiner.join(p for p in parts if p)

    def accessible_name(self) -> str:
        return _norm(self.name or self.label or self.attrs.get("aria-label") or self.inner_text())

    def attribute(self, name: str) -> str | None:
        special = {"id": self.id, "data-testid": self.test_id, "role": self.role, "placeholder": self.placeholder}
        if name in special and special[name] is not None:
            return special[name]
        if name == "value":
            return self.value
        return self.attrs.get(name)

    def descendants(self) -> Iterator[El]:
        for child in self.children:
            child.parent = self
            yield child
            yield from child.descendants()


def page_root(elements: list[El]) -> El:
    root = El(tag="body", children=list(elements))
    for _ in root.descendants():  # sets every parent
        pass
    return root


# -- CSS: enough of it for the selectors the engine and its tests write ---------------------------

_COMPOUND = re.compile(r"^(?P<tag>[a-zA-Z][a-zA-Z0-9]*)?(?P<rest>(?:#[\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"#([\w-]+)|\[([\w-]+)(?:=([^\]]*))?\]")


def _compound_matches(el: El, compound: str) -> bool:
    parsed = _COMPOUND.match(compound)
    if parsed is None:
        raise PlaywrightError(f"fake page: unsupported selector {compound!r}")
    if parsed["tag"] and parsed["tag"].lower() != el.tag:
        return False
    for ident, attr, value in _PART.findall(parsed["rest"]):
        if ident and el.id != ident:
            return False
        if attr:
            have = el.attribute(attr)
            if have is None or (value and have != value.strip("'\"")):
                return False
    return True


def css_matches(el: El, selector: str) -> bool:
    """One selector of a list: compounds separated by spaces (descendant combinator)."""
    compounds = selector.split()
    if not compounds or not _compound_matches(el, compounds[-1]):
        return False
    node = el.parent
    for compound in reversed(compounds[:-1]):
        while node is not None and not _compound_matches(node, compound):
            node = node.parent
        if node is None:
            return False
        node = node.parent
    return True


def _text_matches(have: str, want: str | re.Pattern[str], exact: bool) -> bool:
    if isinstance(want, re.Pattern):
        return want.search(have) is not None
    have, want = _norm(have), _norm(want)
    return have == want if exact else want.lower() in have.lower()


# -- locators ---------------------------------------------------------------------------------------

Query = Callable[[list[El]], list[El]]


def _below(query: Callable[[El], bool]) -> Query:
    def run(roots: list[El]) -> list[El]:
        found: list[El] = []
        for root in roots:
            found += [el for el in root.descendants() if query(el) and el not in found]
        return found

    return run


class FakeLocator:
    def __init__(self, page: FakePage, queries: tuple[Query, ...], description: str) -> None:
        self.page = page
        self._queries = queries
        self._description = description

    def __repr__(self) -> str:
        return f"<FakeLocator {self._description}>"

    def resolve(self, roots: list[El] | None = None) -> list[El]:
        elements = [self.page.root] if roots is None else roots
        for query in self._queries:
            elements = query(elements)
        return elements

    def _then(self, query: Query, description: str) -> FakeLocator:
        return FakeLocator(self.page, (*self._queries, query), f"{self._description} >> {description}")

    # finding, like Page and Locator
    def locator(self, selector: str) -> FakeLocator:
        if selector.startswith("xpath="):
            raise PlaywrightError("fake page: xpath is not supported")
        selectors = [s.strip() for s in selector.split(",") if s.strip()]
        return self._then(_below(lambda el: any(css_matches(el, s) for s in selectors)), selector)

    def get_by_role(self, role: str, name: str | re.Pattern[str] | None = None, exact: bool = False) -> FakeLocator:
        def matches(el: El) -> bool:
            return el.aria_role == role and (name is None or _text_matches(el.accessible_name(), name, exact))

        return self._then(_below(matches), f"role={role} name={name!r}")

    def get_by_label(self, text: str | re.Pattern[str], exact: bool = False) -> FakeLocator:
        return self._then(_below(lambda el: el.label is not None and _text_matches(el.label, text, exact)), text)

    def get_by_text(self, text: str | re.Pattern[str], exact: bool = False) -> FakeLocator:
        return self._then(_below(lambda el: bool(el.text) and _text_matches(el.text, text, exact)), f"text={text}")

    def get_by_test_id(self, test_id: str) -> FakeLocator:
        return self._then(_below(lambda el: el.test_id == test_id), f"test_id={test_id}")

    def get_by_placeholder(self, text: str, exact: bool = False) -> FakeLocator:
        return self._then(
            _below(lambda el: el.placeholder is not None and _text_matches(el.placeholder, text, exact)), text
        )

    def get_by_title(self, text: str, exact: bool = False) -> FakeLocator:
        return self._then(_below(lambda el: _text_matches(el.attrs.get("title", "\0"), text, exact)), text)

    def get_by_alt_text(self, text: str, exact: bool = False) -> FakeLocator:
        return self._then(_below(lambda el: _text_matches(el.attrs.get("alt", "\0"), text, exact)), text)

    def filter(self, has_text: str | re.Pattern[str] | None = None, has: FakeLocator | None = None) -> FakeLocator:
        def run(elements: list[El]) -> list[El]:
            kept = elements
            if has_text is not None:
                kept = [el for el in kept if _text_matches(el.inner_text(), has_text, False)]
            if has is not None:
                kept = [el for el in kept if has.resolve([el])]
            return kept

        return self._then(run, f"filter({has_text!r}, {has!r})")

    def or_(self, other: FakeLocator) -> FakeLocator:
        def run(roots: list[El]) -> list[El]:
            mine = self.resolve(roots)
            return mine + [el for el in other.resolve(roots) if el not in mine]

        return FakeLocator(self.page, (run,), f"{self._description} or {other._description}")

    def nth(self, index: int) -> FakeLocator:
        return self._then(lambda els: els[index : index + 1] if index >= 0 else els[index:][:1], f"nth={index}")

    @property
    def first(self) -> FakeLocator:
        return self.nth(0)

    @property
    def last(self) -> FakeLocator:
        return self.nth(-1)

    # reading
    def count(self) -> int:
        return len(self.resolve())

    def all(self) -> list[FakeLocator]:
        return [self.nth(i) for i in range(self.count())]

    def all_inner_texts(self) -> list[str]:
        return [el.inner_text() for el in self.resolve()]

    def _one(self, action: str, timeout: float | None = None) -> El:
        found = self.resolve()
        if not found:
            raise PlaywrightTimeoutError(
                f"Locator.{action}: Timeout {timeout or 0:g}ms exceeded.\nwaiting for {self._description}"
            )
        if len(found) > 1:
            raise PlaywrightError(
                f"Locator.{action}: Error: strict mode violation: {self._description} resolved to {len(found)} elements"
            )
        return found[0]

    def inner_text(self, timeout: float | None = None) -> str:
        return self._one("inner_text", timeout).inner_text()

    def text_content(self, timeout: float | None = None) -> str:
        return self._one("text_content", timeout).inner_text()

    def input_value(self, timeout: float | None = None) -> str:
        return self._one("input_value", timeout).value or ""

    def get_attribute(self, name: str, timeout: float | None = None) -> str | None:
        return self._one("get_attribute", timeout).attribute(name)

    def is_visible(self) -> bool:
        found = self.resolve()
        return bool(found) and not found[0].hidden

    def bounding_box(self, timeout: float | None = None) -> dict[str, float] | None:
        self._one("bounding_box", timeout)
        return {"x": 10.0, "y": 10.0, "width": 100.0, "height": 20.0}

    def evaluate(self, expression: str, arg: Any = None, timeout: float | None = None) -> Any:
        el = self._one("evaluate", timeout)
        if "tagName" in expression:
            return el.tag
        if "options" in expression:  # steps.select reads a <select>'s options
            return [list(option) for option in el.options] if el.tag == "select" else None
        raise PlaywrightError(f"fake page: cannot evaluate {expression!r}")

    # acting
    def click(self, timeout: float | None = None, force: bool = False, **_: Any) -> None:
        el = self._one("click", timeout)
        self.page.clicks.append(el.accessible_name())
        if el.tag == "input" and el.attrs.get("type") == "checkbox":
            el.checked = not el.checked
        if el.on_click is not None:
            el.on_click(self.page)

    def dblclick(self, timeout: float | None = None, force: bool = False, **_: Any) -> None:
        self.click(timeout=timeout, force=force)

    def hover(self, timeout: float | None = None, **_: Any) -> None:
        self._one("hover", timeout)

    def fill(self, value: str, timeout: float | None = None, **_: Any) -> None:
        el = self._one("fill", timeout)
        if el.tag not in FORM_TAGS:
            raise PlaywrightError("Locator.fill: Error: Element is not an <input>, <textarea> or <select> element")
        el.value = value

    def check(self, timeout: float | None = None, **_: Any) -> None:
        self._one("check", timeout).checked = True

    def uncheck(self, timeout: float | None = None, **_: Any) -> None:
        self._one("uncheck", timeout).checked = False

    def press(self, key: str, timeout: float | None = None, **_: Any) -> None:
        el = self._one("press", timeout)
        if el.on_key is not None:
            el.on_key(self.page, key)

    def select_option(self, index: list[int] | None = None, timeout: float | None = None, **_: Any) -> None:
        el = self._one("select_option", timeout)
        el.value = ",".join(el.options[i][1] for i in index or [])

    def set_input_files(self, files: Any, timeout: float | None = None, **_: Any) -> None:
        el = self._one("set_input_files", timeout)
        el.value = ",".join(Path(str(f)).name for f in (files if isinstance(files, list) else [files]))


# -- pages, contexts, the browser -------------------------------------------------------------------

Content = list[El] | Callable[["FakeContext"], list[El]]


@dataclass
class Site:
    """The in-memory web application: paths to page content, and how some of them misbehave."""

    pages: dict[str, Content] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)  # a path's HTTP status (default 200, 404 unknown)
    console_errors: dict[str, list[str]] = field(default_factory=dict)  # logged when the path loads
    down: bool = False  # every navigation is refused, as when the server died
    visits: Counter[str] = field(default_factory=Counter)

    def load(self, context: FakeContext, path: str) -> tuple[int, list[El]]:
        self.visits[path] += 1
        content = self.pages.get(path)
        if content is None:
            return 404, [El(tag="h1", text="Not Found")]
        # a fresh copy per load, like a page that is fetched again: what a step typed is gone
        elements = content(context) if callable(content) else copy.deepcopy(content)
        return self.status.get(path, 200), elements


@dataclass
class _Request:
    url: str
    method: str = "GET"
    resource_type: str = "document"
    failure: str | None = None


@dataclass
class _Response:
    url: str
    status: int
    request: _Request
    frame: object


@dataclass
class _ConsoleMessage:
    text: str
    type: str = "error"


class _Keyboard:
    def __init__(self, page: FakePage) -> None:
        self.page = page
        self.pressed: list[str] = []

    def press(self, key: str) -> None:
        self.pressed.append(key)


@dataclass
class Shot:
    path: Path
    masked: list[El]  # the elements the screenshot masked (secrets must be among them)
    full_page: bool


class FakePage:
    def __init__(self, context: FakeContext) -> None:
        self.context = context
        self.site = context.site
        self.url = "about:blank"
        self.main_frame = object()
        self.root = page_root([])
        self.handlers: dict[str, list[Callable[[Any], None]]] = {}
        self.closed = False
        self.shots: list[Shot] = []
        self.clicks: list[str] = []
        self.keyboard = _Keyboard(self)
        self.default_timeout: float | None = None
        self.viewport_size = {"width": 1280, "height": 800}

    def __repr__(self) -> str:
        return f"<FakePage {self.url}>"

    def on(self, event: str, handler: Callable[[Any], None]) -> None:
        self.handlers.setdefault(event, []).append(handler)

    def emit(self, event: str, payload: Any) -> None:
        for handler in list(self.handlers.get(event, [])):
            handler(payload)

    def goto(self, url: str, wait_until: str = "load", timeout: float | None = None) -> _Response:
        if self.closed:
            raise PlaywrightError("Page.goto: Target page, context or browser has been closed")
        if self.site.down:
            raise PlaywrightError(f"Page.goto: net::ERR_CONNECTION_REFUSED at {url}")
        status, elements = self.site.load(self.context, urlsplit(url).path or "/")
        self.show(url, elements, status)
        return _Response(url, status, _Request(url), self.main_frame)

    def show(self, url: str, elements: list[El], status: int = 200) -> None:
        """Navigate to ``url`` showing these elements (what a link or a form post does)."""
        self.url = url
        self.root = page_root(elements)
        self.emit("framenavigated", self.main_frame)
        self.emit("response", _Response(url, status, _Request(url), self.main_frame))
        for text in self.site.console_errors.get(urlsplit(url).path, []):
            self.emit("console", _ConsoleMessage(text))

    def navigate(self, path: str) -> None:
        """Follow a link to a path of the site."""
        parts = urlsplit(self.url)
        self.goto(f"{parts.scheme}://{parts.netloc}{path}")

    def reload(self, **_: Any) -> _Response:
        return self.goto(self.url)

    def _root_locator(self) -> FakeLocator:
        return FakeLocator(self, (), "page")

    def locator(self, selector: str) -> FakeLocator:
        if selector == "body":
            return FakeLocator(self, (lambda roots: roots,), "body")
        return self._root_locator().locator(selector)

    def get_by_role(self, role: str, name: str | re.Pattern[str] | None = None, exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_role(role, name=name, exact=exact)

    def get_by_label(self, text: str, exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_label(text, exact=exact)

    def get_by_text(self, text: str | re.Pattern[str], exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_text(text, exact=exact)

    def get_by_test_id(self, test_id: str) -> FakeLocator:
        return self._root_locator().get_by_test_id(test_id)

    def get_by_placeholder(self, text: str, exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_placeholder(text, exact=exact)

    def get_by_title(self, text: str, exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_title(text, exact=exact)

    def get_by_alt_text(self, text: str, exact: bool = False) -> FakeLocator:
        return self._root_locator().get_by_alt_text(text, exact=exact)

    def screenshot(
        self, path: str | None = None, type: str = "png", mask: Any = (), full_page: bool = False, **_: Any
    ) -> bytes:
        if self.closed:
            raise PlaywrightError("Page.screenshot: Target page, context or browser has been closed")
        masked = [el for locator in mask or () for el in locator.resolve()]
        buffer = io.BytesIO()
        # a real (tiny) image: the report makes thumbnails of it and the visual check reads it
        Image.new("RGB", (32, 20), (240, 240, 240)).save(buffer, format="JPEG" if type == "jpeg" else "PNG")
        data = buffer.getvalue()
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_bytes(data)
            self.shots.append(Shot(Path(path), masked, full_page))
        return data

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        if "querySelector" in expression and isinstance(arg, list) and len(arg) == 2:
            # smoke.evidence asks what a page needs masked: secret fields, secrets in its text
            selector, secrets = arg
            fields = self.locator(selector).count() > 0
            shown = self.root.inner_text()
            text = any(secret in shown or secret in _norm(shown) for secret in secrets)
            for el in self.root.descendants():
                if el.tag in FORM_TAGS and el.value and any(secret in el.value for secret in secrets):
                    el.attrs["data-smoke-mask"] = ""
                    fields = True
            # and its change token: None, a page the fake does not follow (always shot again)
            return [fields, text, None]
        if "scrollX" in expression:
            return [0, 0]
        raise PlaywrightError(f"fake page: cannot evaluate {expression!r}")

    def wait_for_timeout(self, timeout: float) -> None:
        pass  # nothing on a fake page changes while it waits

    def wait_for_url(self, url: Any, timeout: float | None = None, **_: Any) -> None:
        matched = url.search(self.url) if isinstance(url, re.Pattern) else url == self.url
        if not matched:
            raise PlaywrightTimeoutError(f"Page.wait_for_url: Timeout {timeout or 0:g}ms exceeded.")

    def wait_for_event(self, event: str, timeout: float | None = None, **_: Any) -> Any:
        raise PlaywrightTimeoutError(f"Page.wait_for_event: Timeout {timeout or 0:g}ms exceeded.")

    def title(self) -> str:
        titles = [el.inner_text() for el in self.root.descendants() if el.tag == "title"]
        return titles[0] if titles else ""

    def is_closed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class FakeContext:
    def __init__(self, browser: FakeBrowser, storage_state: dict[str, Any] | None = None) -> None:
        self.browser = browser
        self.site = browser.site
        self.pages: list[FakePage] = []
        self.closed = False
        self.default_timeout: float | None = None
        # the site's session: who is logged in (a cookie in a real browser)
        self.cookies: dict[str, str] = {}
        for cookie in (storage_state or {}).get("cookies", []):
            self.cookies[cookie["name"]] = cookie["value"]

    @property
    def user(self) -> str | None:
        return self.cookies.get("user")

    def set_default_timeout(self, timeout: float) -> None:
        self.default_timeout = timeout

    def new_page(self) -> FakePage:
        page = FakePage(self)
        self.pages.append(page)
        return page

    def storage_state(self, **_: Any) -> dict[str, Any]:
        return {"cookies": [{"name": k, "value": v} for k, v in self.cookies.items()], "origins": []}

    def close(self) -> None:
        self.closed = True
        for page in self.pages:
            page.close()


class FakeBrowser:
    """``browser.new_context`` is the runner's ``new_context`` callable (the fixture's shape)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.contexts: list[FakeContext] = []

    def new_context(self, storage_state: dict[str, Any] | None = None, **_: Any) -> FakeContext:
        context = FakeContext(self, storage_state)
        self.contexts.append(context)
        return context


# -- expect() on fakes --------------------------------------------------------------------------------


class _LocatorAssertions:
    def __init__(self, locator: FakeLocator) -> None:
        self.locator = locator

    def _first_text(self) -> str | None:
        found = self.locator.resolve()
        return _norm(found[0].inner_text()) if found else None

    def to_have_text(self, expected: str | re.Pattern[str], timeout: float | None = None, **_: Any) -> None:
        shown = self._first_text()
        if shown is None or not _text_matches(shown, expected, True):
            raise AssertionError(f"Locator expected to have text '{expected}'\nActual value: {shown}")

    def to_contain_text(self, expected: str | re.Pattern[str], timeout: float | None = None, **_: Any) -> None:
        shown = self._first_text()
        if (
            shown is None
            or (isinstance(expected, str) and _norm(expected) not in shown)
            or (isinstance(expected, re.Pattern) and not expected.search(shown))
        ):
            raise AssertionError(f"Locator expected to contain text '{expected}'\nActual value: {shown}")

    def not_to_contain_text(self, expected: str, timeout: float | None = None, **_: Any) -> None:
        shown = self._first_text()
        if shown is not None and _norm(expected) in shown:
            raise AssertionError(f"Locator expected not to contain text '{expected}'\nActual value: {shown}")

    def to_have_value(self, expected: str, timeout: float | None = None, **_: Any) -> None:
        found = self.locator.resolve()
        if not found or (found[0].value or "") != expected:
            raise AssertionError(f"Locator expected to have value '{expected}'")

    def to_be_visible(self, timeout: float | None = None, **_: Any) -> None:
        if not self.locator.is_visible():
            raise AssertionError("Locator expected to be visible")

    def to_be_attached(self, timeout: float | None = None, **_: Any) -> None:
        if not self.locator.resolve():
            raise AssertionError("Locator expected to be attached")

    def to_have_count(self, count: int, timeout: float | None = None, **_: Any) -> None:
        if self.locator.count() != count:
            raise AssertionError(f"Locator expected to have count '{count}'\nActual value: {self.locator.count()}")


class _PageAssertions:
    def __init__(self, page: FakePage) -> None:
        self.page = page

    def to_have_url(self, expected: str | re.Pattern[str], timeout: float | None = None, **_: Any) -> None:
        matched = expected.search(self.page.url) if isinstance(expected, re.Pattern) else expected == self.page.url
        if not matched:
            raise AssertionError(f"Page URL expected to be '{expected}'\nActual value: {self.page.url}")


@contextlib.contextmanager
def fake_expect() -> Iterator[None]:
    """While active, Playwright's ``expect()`` (wherever it was imported) asserts on fakes too."""
    from playwright.sync_api import Expect

    original = Expect.__call__

    def dispatch(self: Any, actual: Any, message: str | None = None) -> Any:
        if isinstance(actual, FakeLocator):
            return _LocatorAssertions(actual)
        if isinstance(actual, FakePage):
            return _PageAssertions(actual)
        return original(self, actual, message)

    Expect.__call__ = dispatch  # type: ignore[method-assign]
    try:
        yield
    finally:
        Expect.__call__ = original  # type: ignore[method-assign]


# -- the example application: a login form and an account overview ------------------------------------


def login_page(users: dict[str, str], home: str = "/home.html") -> Content:
    """A login form: the right password logs the context in and goes to ``home``; a wrong one says so."""

    def content(context: FakeContext) -> list[El]:
        username = El(tag="input", id="Username", label="Username")
        password = El(tag="input", id="Password", label="Password", attrs={"type": "password"})

        def submit(page: FakePage) -> None:
            if users.get(username.value or "") == (password.value or "\0"):
                context.cookies["user"] = username.value or ""
                page.navigate(home)
            else:
                alert = El(role="alert", text=f"Wrong password for {username.value}")
                page.show(page.url, [*page.root.children, alert])

        return [
            El(tag="h1", text="Log In"),
            username,
            password,
            El(tag="button", id="LoginButton", text="Log In", on_click=submit),
        ]

    return content


def signed_in(build: Callable[[FakeContext], list[El]]) -> Content:
    """A page for logged-in users only; anyone else sees the login page's heading."""

    def content(context: FakeContext) -> list[El]:
        if context.user is None:
            return [El(tag="h1", text="Log In")]
        return [El(tag="header", children=[El(tag="span", id="CurrentUsername", text=context.user)]), *build(context)]

    return content


def table(label: str, rows: list[list[str]], header: list[str] | None = None) -> El:
    cells = [El(tag="tr", children=[El(tag="th", text=h) for h in header])] if header else []
    cells += [El(tag="tr", children=[El(tag="td", text=c) for c in row]) for row in rows]
    return El(tag="table", attrs={"aria-label": label}, children=cells)


USERS = {"demo": "Demo#Pass1", "clerk": "Clerk#Pass2"}
ACCOUNTS = {
    "1001": ("Jane Smith", "$120.50"),
    "1002": ("John Doe", "$7.00"),
    "1003": ("Ann Lee", "$0.00"),
}


def example_site() -> Site:
    """The engine's example application: a login, an account overview, one page per account."""

    def home(context: FakeContext) -> list[El]:
        return [
            El(tag="h1", text="Account Overview"),
            El(tag="dd", test_id="account-number", text="Account #1001"),
            El(tag="dd", test_id="account-name", text="Jane Smith"),
            El(tag="dd", test_id="balance", text="$120.50"),
            table("Packages", [["Fiber 100", "Active"], ["Static IP", "Suspended"]], ["Package", "Status"]),
            El(tag="input", id="city", label="City", value="Toronto"),
            El(tag="input", id="card", label="Card Number", attrs={"autocomplete": "cc-number"}),
            El(tag="button", text="Save"),
            El(tag="button", text="Save", name="Save"),  # two of them: an ambiguous locator
            El(tag="a", text="Broken report", on_click=lambda page: page.navigate("/broken.html")),
        ]

    def account(number: str) -> Content:
        name, balance = ACCOUNTS[number]
        return signed_in(
            lambda context: [
                El(tag="h1", text=f"Account {number}"),
                El(tag="dd", test_id="account-name", text=name),
                El(tag="dd", test_id="balance", text=balance),
            ]
        )

    def flaky(context: FakeContext) -> list[El]:
        # the first visit finds the page still loading; later ones find it ready
        return [El(tag="h1", text="Ready" if context.site.visits["/flaky.html"] > 1 else "Loading")]

    site = Site(
        pages={
            "/index.html": login_page(USERS),
            "/": signed_in(home),  # the base URL: where a restored session lands
            "/home.html": signed_in(home),
            "/flaky.html": flaky,
            "/broken.html": [El(tag="h1", text="Internal Server Error")],
            **{f"/accounts/{n}": account(n) for n in ACCOUNTS},
        },
        status={"/broken.html": 500},
    )
    return site


TARGETS_YAML = """\
default: fake
targets:
  fake:
    admin_url: "{url}/"
    portal_url: "{url}/"
    read_only: false
    roles:
      demo: {{side: admin, user_env: FAKE_USER, password_env: FAKE_PASSWORD}}
      clerk: {{side: admin, user_env: FAKE_CLERK_USER, password_env: FAKE_CLERK_PASSWORD}}
    env_defaults:
      FAKE_USER: demo
      FAKE_PASSWORD: "{demo}"
      FAKE_CLERK_USER: clerk
      FAKE_CLERK_PASSWORD: "{clerk}"
    login:
      admin:
        - open: /index.html
        - fill: {{label: Username, value: "{{{{ user }}}}"}}
        - fill: {{label: Password, value: "{{{{ password }}}}"}}
        - click: {{button: Log In}}
        - expect_text: {{css: "#CurrentUsername", text: "{{{{ user }}}}"}}
"""


def write_project(root: Path, url: str, data: dict[str, str] | None = None) -> Path:
    """A scenarios folder whose target is the example site at ``url`` (only its reachability is real)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "targets.yaml").write_text(
        TARGETS_YAML.format(url=url.rstrip("/"), demo=USERS["demo"], clerk=USERS["clerk"])
    )
    (root / "data").mkdir(exist_ok=True)
    for name, text in (data or {}).items():
        (root / "data" / f"{name}.yaml").write_text(text)
    return root


@contextlib.contextmanager
def outside_soft_scope() -> Iterator[None]:
    """pytest-playwright opens a soft-assertion scope around every test call (this one too) and
    refuses to nest them; a pytester session run in this process opens its own for each scenario."""
    from playwright._impl import _assertions

    outer = _assertions._soft_errors
    _assertions._soft_errors = None
    try:
        yield
    finally:
        _assertions._soft_errors = outer


class BrowserPlugin:
    """Hands a fake browser to a pytester session: its conftest's ``new_context`` fixture finds it here."""

    def __init__(self, browser: FakeBrowser) -> None:
        self.browser = browser


CONFTEST = """
import pytest
from tests.unit.fakes import BrowserPlugin

@pytest.fixture
def new_context(pytestconfig):
    [plugin] = [p for p in pytestconfig.pluginmanager.get_plugins() if isinstance(p, BrowserPlugin)]
    return plugin.browser.new_context
"""
