"""The new vocabulary without a browser: option resolution, save from the address, load-time checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from smoke import dialogs
from smoke.scenario import load_scenario
from smoke.steps import REGISTRY
from smoke.steps.flow import first_group
from smoke.steps.interaction import describe_options, pick_options
from smoke.yamlfile import ConfigError
from tests.conftest import run_smoke

COUNTRIES = [("---------", ""), ("United States", "US"), ("Canada", "CA"), ("United Kingdom", "GB")]


def test_an_option_is_found_by_its_label_or_its_value() -> None:
    assert pick_options(["Canada"], COUNTRIES) == ([2], [])
    assert pick_options(["CA"], COUNTRIES) == ([2], [])
    assert pick_options(["United  Kingdom "], COUNTRIES) == ([3], [])  # spaces as a person would not see them
    assert pick_options(["GB", "United States"], COUNTRIES) == ([3, 1], [])


def test_a_label_wins_over_another_options_value() -> None:
    # <option value="Low">High</option><option value="High">Low</option>: "High" is what a person sees
    swapped = [("High", "Low"), ("Low", "High")]
    assert pick_options(["High"], swapped) == ([0], [])


def test_texts_that_name_no_option_are_returned() -> None:
    assert pick_options(["Mexico", "CA", "ca"], COUNTRIES) == ([2], ["Mexico", "ca"])


def test_the_options_are_listed_as_a_person_reads_them() -> None:
    assert describe_options(COUNTRIES) == "--------- (), United States (US), Canada (CA), United Kingdom (GB)"
    assert describe_options([("Low", "Low")]) == "Low"
    many = [(f"o{i}", f"o{i}") for i in range(40)]
    assert describe_options(many, limit=3) == "o0, o1, o2, … (37 more)"


def test_the_first_group_or_the_whole_match_is_kept() -> None:
    url = "http://127.0.0.1:8000/admin/helpdesk/ticket/42/change/"
    assert first_group(re.search(r"/ticket/(\d+)/", url)) == "42"  # type: ignore[arg-type]
    assert first_group(re.search(r"ticket/\d+", url)) == "ticket/42"  # type: ignore[arg-type]
    assert first_group(re.search(r"ticket/(x)?(\d+)", url)) == ""  # type: ignore[arg-type]


def _scenario(tmp_path: Path, step: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\nlogin: false\nsteps:\n  - open: /\n{step}\n")
    return path


def test_save_from_the_address_is_read_at_load_time(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path, '  - save: {ticket_id: {url: "/tickets/(\\\\d+)/"}, n: {css: "#n"}}'))
    step = scenario.steps[1]
    assert step.args["vars"]["ticket_id"] is None  # no element: the page's address
    assert step.args["options"]["ticket_id"] == {"url": "/tickets/(\\d+)/"}
    assert step.args["vars"]["n"].how == "css"


def test_a_bad_regular_expression_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    path = _scenario(tmp_path, '  - save: {ticket_id: {url: "/tickets/(\\\\d+/"}}')
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    line = caught.value.line()
    assert re.match(
        r".*s\.yaml:5:\d+: step 2 \(save\): ticket_id: url is not a valid regular expression: missing \), unterminated subpattern",
        line,
    ), line
    path = _scenario(tmp_path, '  - save: {n: {css: "#n", pattern: "[0-9"}}')
    with pytest.raises(ConfigError, match=r"n: pattern is not a valid regular expression"):
        load_scenario(path)


def test_save_from_the_address_takes_nothing_else(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"url: reads the page's address, so it takes no 'css'"):
        load_scenario(_scenario(tmp_path, "  - save: {ticket_id: {url: '/t/(\\d+)', css: '#x'}}"))


def test_a_pattern_with_an_expression_is_checked_when_it_runs(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path, "  - save: {x: {url: '/{{ saved.kind }}/(\\d+)'}}"))
    assert scenario.steps[1].args["options"]["x"]["url"] == "/{{ saved.kind }}/(\\d+)"


def test_dialog_takes_accept_or_dismiss(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path, "  - click: {button: Delete, dialog: accept, dialog_text: 'Sure?'}"))
    assert scenario.steps[1].args == {"dialog": "accept", "dialog_text": "Sure?"}
    assert scenario.steps[1].locator is not None and scenario.steps[1].locator.name == "Delete"
    with pytest.raises(ConfigError, match=r"dialog must be one of accept, dismiss, got 'yes'"):
        load_scenario(_scenario(tmp_path, "  - click: {button: Delete, dialog: 'yes'}"))


def test_captions_say_what_the_dialog_gets() -> None:
    caption = REGISTRY["click"].caption
    assert caption({"dialog": "accept", "dialog_text": "Sure?"}, "button 'Delete'") == (
        "Click button 'Delete' and accept the dialog 'Sure?'"
    )
    assert REGISTRY["select"].caption({"option": ["a", "b"]}, "label 'Tags'") == "Choose 'a, b' in label 'Tags'"
    assert REGISTRY["hover"].caption({}, "link 'Setup'") == "Point at link 'Setup'"


def test_smoke_check_names_the_line_of_a_bad_pattern(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "targets.yaml").write_text(
        "default: t\ntargets:\n  t: {admin_url: 'http://127.0.0.1:9/', portal_url: 'http://127.0.0.1:9/', roles: {}}\n"
    )
    (folder / "tickets.yaml").write_text(
        "name: t\nlogin: false\nsteps:\n  - open: /\n  - save:\n      ticket_id: {url: '/tickets/(\\d+'}\n"
    )
    done = run_smoke("check", "--scenarios", str(folder))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "tickets.yaml:6:" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_smoke_steps_documents_hover_and_dialogs() -> None:
    done = run_smoke("steps", "hover")
    assert done.returncode == 0 and "menu that opens on hover" in done.stdout, done.stdout + done.stderr
    done = run_smoke("steps", "click")
    assert "dialog: accept" in done.stdout and "page health warning" in done.stdout


class _Dialog:
    def __init__(self, message: str, type: str = "confirm") -> None:
        self.message = message
        self.type = type
        self.answer: str | None = None

    def accept(self) -> None:
        self.answer = "accepted"

    def dismiss(self) -> None:
        self.answer = "dismissed"


class _Page:
    url = "http://127.0.0.1/tickets/42/"

    def __init__(self) -> None:
        self.listeners: list[Any] = []

    def on(self, event: str, listener: Any) -> None:
        assert event == "dialog"
        self.listeners.append(listener)

    def raise_dialog(self, dialog: _Dialog) -> None:
        for listener in self.listeners:
            listener(dialog)


def test_the_watch_answers_as_the_step_says_and_dismisses_the_rest() -> None:
    page = _Page()
    heard: list[dialogs.Seen] = []
    watch = dialogs.DialogWatch(page, heard.append)  # type: ignore[arg-type]
    assert len(page.listeners) == 1
    with watch.expect("accept", "Are you sure") as expecting:
        first, second = _Dialog("Are you sure you want to delete it?"), _Dialog("And this too?")
        page.raise_dialog(first)
        page.raise_dialog(second)  # one step, one dialog: a second one nobody expected
    assert first.answer == "accepted" and expecting.seen is not None and expecting.seen.answer == "accepted"
    assert second.answer == "dismissed" and [s.message for s in heard] == ["And this too?"]
    with watch.expect("accept", "Are you sure") as expecting:
        other = _Dialog("Delete all accounts?")
        page.raise_dialog(other)
    assert other.answer == "dismissed"  # it asked something else: never confirmed
    assert expecting.seen is not None and expecting.seen.message == "Delete all accounts?"
    late = _Dialog("Leave the page?", "beforeunload")
    page.raise_dialog(late)  # no step is expecting anything now
    assert late.answer == "dismissed" and heard[-1].type == "beforeunload"
    assert dialogs.unexpected_message(heard[-1]).startswith(
        "beforeunload dialog 'Leave the page?' appeared and was dismissed: no step expected it"
    )


def test_one_watch_per_page() -> None:
    page = _Page()
    assert dialogs.watch(page) is dialogs.watch(page)  # type: ignore[arg-type]
    assert len(page.listeners) == 1
