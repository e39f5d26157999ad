"""The scenario model and its error messages (no browser)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smoke.project import check_all, load_project
from smoke.scenario import load_scenario
from smoke.yamlfile import ConfigError
from tests.conftest import EXAMPLE


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def errors_for(scenarios: Path, text: str, target: str | None = None) -> list[str]:
    path = write(scenarios, "probe.yaml", text)
    project = load_project(scenarios)
    try:
        scenario = load_scenario(path)
    except ConfigError as exc:
        return [exc.line()]
    return [e.line() for e in check_all(project, [scenario], project.targets.get(target))]


def test_example_scenarios_are_valid() -> None:
    project = load_project(EXAMPLE / "scenarios")
    for path in sorted((EXAMPLE / "scenarios").glob("*.yaml")):
        if path.name in ("targets.yaml", "checklist.yaml"):
            continue
        assert check_all(project, [load_scenario(path)], project.targets.get(None)) == [], path


def test_parses_a_scenario_into_the_model(scenarios: Path) -> None:
    scenario = load_scenario(scenarios / "login.yaml")
    assert scenario.name == "Log in and see the overview"
    assert scenario.checklist == ["admin-login"]
    assert scenario.tags == ["quick"]
    assert scenario.role == "demo" and scenario.side == "admin" and not scenario.changes_data
    kinds = [step.kind for step in scenario.steps]
    assert kinds == ["open", "expect_text", "expect_text", "expect_row", "save", "expect_text"]
    assert scenario.steps[2].says == "The balance is shown"
    assert scenario.steps[3].locator is not None and scenario.steps[3].locator.how == "role"
    assert scenario.steps[3].locator.value == "table" and scenario.steps[3].locator.name == "Packages"
    assert scenario.steps[0].pos.line == 7


def test_typo_in_step_kind_names_file_line_and_suggestion(scenarios: Path) -> None:
    [error] = errors_for(
        scenarios,
        """
        name: typo
        steps:
          - open: /home.html
          - clik: {button: Save}
        """,
    )
    assert error.startswith(f"{scenarios.name}/probe.yaml:4:5: ") or ":4:5: " in error
    assert "unknown step kind 'clik'" in error
    assert "did you mean click" in error


def test_bad_indentation_is_a_yaml_error_with_line(scenarios: Path) -> None:
    [error] = errors_for(
        scenarios,
        """
        name: indent
        steps:
          - open: /home.html
           - click: Save
        """,
    )
    assert "probe.yaml:4:" in error and "YAML syntax" in error and "indentation" in error


def test_undefined_variable_names_the_variable_and_line(scenarios: Path) -> None:
    [error] = errors_for(
        scenarios,
        """
        name: undefined
        role: demo
        steps:
          - open: /home.html
          - fill: {label: City, value: "{{ saved.city }}"}
        """,
    )
    assert "probe.yaml:5:" in error
    assert "saved.city is used before any save step stores it" in error


def test_unknown_root_name_suggests(scenarios: Path) -> None:
    [error] = errors_for(scenarios, 'name: x\nsteps:\n  - open: "/{{ rnu.id }}"\n')
    assert "undefined variable 'rnu'" in error and "did you mean run" in error


def test_missing_environment_variable_is_named(scenarios: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    [error] = errors_for(scenarios, 'name: x\nsteps:\n  - fill: {label: City, value: "{{ env.NOT_SET_ANYWHERE }}"}\n')
    assert "environment variable NOT_SET_ANYWHERE is not set" in error and "probe.yaml:3:" in error


def test_missing_credential_variable_is_named(scenarios: Path) -> None:
    targets = scenarios / "targets.yaml"
    targets.write_text(targets.read_text().replace('      EXAMPLE_CLERK_PASSWORD: "Clerk#Pass2"\n', ""))
    errors = errors_for(scenarios, "name: x\nrole: clerk\nsteps:\n  - open: /home.html\n")
    assert len(errors) == 1
    assert "role 'clerk': environment variable EXAMPLE_CLERK_PASSWORD is not set" in errors[0]
    assert "targets.yaml:" in errors[0]


def test_data_changing_scenario_refused_on_read_only_target(scenarios: Path) -> None:
    errors = errors_for(
        scenarios,
        "name: changer\nchanges_data: true\nlogin: false\nsteps:\n  - open: /x\n",
        target="readonly-example",
    )
    assert any("changes data, and target 'readonly-example' is read-only: refused" in e for e in errors)


def test_unknown_role_and_wrong_side(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nrole: admn\nsteps:\n  - open: /\n")
    assert "no role 'admn'" in error
    [error] = errors_for(scenarios, "name: x\nside: portal\nrole: demo\nsteps:\n  - open: /\n")
    assert "logs in on the admin side" in error


def test_setting_beside_the_kind_says_indent_it(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - fill: {label: City}\n    value: Paris\n")
    assert "unexpected key 'value' beside 'fill'" in error and "indent it under 'fill:'" in error


def test_missing_required_setting_and_wrong_type(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - fill: {label: City}\n")
    assert "missing 'value'" in error and "e.g. fill:" in error
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - expect_count: {css: tr, count: many}\n")
    assert "count must be int" in error


def test_unknown_setting_suggests_close_one(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - select: {label: Package, optoin: Fiber 100}\n")
    assert "unknown setting 'optoin'" in error and "did you mean option" in error


def test_locator_map_name_typo(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - click: login.submt\n")
    assert "'login.submt' is not in the locator map" in error and "login.submit" in error


def test_duplicate_key_and_unknown_scenario_key(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nname: y\nsteps: []\n")
    assert "duplicate key 'name'" in error and ":2:1:" in error
    [error] = errors_for(scenarios, "name: x\nchecklst: [admin-login]\nsteps:\n  - open: /\n")
    assert "unknown scenario key 'checklst'" in error and "did you mean checklist" in error


def test_unknown_checklist_id(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nchecklist: [admin-logn]\nsteps:\n  - open: /\n")
    assert "unknown checklist id 'admin-logn'" in error and "admin-login" in error


def test_for_each_checks_row_columns_and_data_names(scenarios: Path) -> None:
    [error] = errors_for(
        scenarios,
        """
        name: x
        steps:
          - for_each:
              data: accounts
              steps:
                - expect_text: "{{ row.balanse }}"
        """,
    )
    assert "row.balanse is not a column" in error and "did you mean balance" in error
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - for_each: {data: acounts, steps: [{open: /}]}\n")
    assert "no data 'acounts'" in error and "did you mean accounts" in error


def test_row_outside_for_each_is_explained(scenarios: Path) -> None:
    [error] = errors_for(scenarios, 'name: x\nsteps:\n  - open: "/{{ row.number }}"\n')
    assert "only available inside for_each" in error


def test_template_syntax_error(scenarios: Path) -> None:
    [error] = errors_for(scenarios, 'name: x\nsteps:\n  - open: "/{{ run.id "\n')
    assert "template syntax error" in error


def test_every_step_kind_has_doc_and_example() -> None:
    from smoke.steps import REGISTRY

    expected = {
        "open", "click", "fill", "select", "check", "uncheck", "press", "upload", "expect_text",
        "expect_no_text", "expect_url", "expect_value", "expect_row", "expect_count", "save", "as",
        "screenshot", "wait_for", "for_each", "call",
    }  # fmt: skip
    assert expected <= set(REGISTRY)
    for kind in REGISTRY.values():
        assert kind.doc and "Example" in kind.doc, kind.name
        assert kind.example.startswith(kind.name), kind.name


def test_every_step_example_parses() -> None:
    """Each example that `smoke steps` prints is itself a valid step."""
    from smoke.scenario import parse_step
    from smoke.steps import REGISTRY
    from smoke.yamlfile import Pos, load_text

    for kind in REGISTRY.values():
        if kind.nested:
            continue
        raw = load_text(kind.example, "example")
        step = parse_step(raw, Pos("example", 1, 1), "step 1")
        assert step.kind == kind.name


def test_common_key_inside_the_step_value_says_where_it_goes(scenarios: Path) -> None:
    [error] = errors_for(scenarios, "name: x\nsteps:\n  - expect_text: {text: Hi, timeout: 1}\n")
    assert "unknown setting 'timeout'" in error and "goes on the step itself" in error


def test_money_and_amount_filters() -> None:
    from smoke.values import TemplateValueError, render

    assert render("{{ 1234.5 | money }}", {}) == "$1,234.50"
    assert render("{{ -12 | money }}", {}) == "-$12.00"
    assert render("{{ ('$1,234.56' | amount) - ('-$0.44' | amount) }}", {}) == "1235.0"
    with pytest.raises(TemplateValueError, match="cannot compute"):
        render("{{ ('$20.00' | amount) - 7.5 | money }}", {})  # the filter binds first: number - text
    assert render("{{ (('$20.00' | amount) - 7.5) | money }}", {}) == "$12.50"


def test_modifiers_beside_a_map_name_narrow_the_mapped_locator() -> None:
    from smoke.locators import LocatorSpec, resolve_ref

    mapped = {"overview.balance": LocatorSpec("test_id", "balance"), "panel": LocatorSpec("css", "#main")}
    spec = LocatorSpec("ref", "overview.balance", nth=0, within=LocatorSpec("ref", "panel"), has_text="$")
    resolved = resolve_ref(spec, mapped)
    assert (resolved.how, resolved.value, resolved.nth, resolved.has_text) == ("test_id", "balance", 0, "$")
    assert resolved.within is not None and resolved.within.how == "css" and resolved.within.value == "#main"
    plain_text = resolve_ref(LocatorSpec("ref", "Save changes", exact=False), mapped)
    assert (plain_text.how, plain_text.exact) == ("text", False)


def test_a_misspelled_external_system_is_named_before_the_run(scenarios: Path) -> None:
    targets = scenarios / "targets.yaml"
    targets.write_text(
        targets.read_text().replace(
            "    read_only: false\n", "    read_only: false\n    external: {radius: 'http://127.0.0.1:9/api/'}\n", 1
        )
    )
    [error] = errors_for(scenarios, 'name: x\nlogin: false\nsteps:\n  - open: "{{ target.external.radiuss }}"\n')
    assert "target has no external system 'radiuss'" in error and "did you mean radius" in error
