"""The structural diff on hand-written aria snapshots: no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.aria.diff import Use, diff, items, mark_used
from smoke.aria.snapshot import find_baseline, page_key
from smoke.aria.tree import Node, SnapshotError, dump, name_pattern, normalise, normalise_text, parse
from smoke.results import AriaChange

OVERVIEW = """
- banner:
  - link "EngageIP AdminPortal":
    - /url: /AdminPortal/
  - navigation "Main":
    - link "Home":
      - /url: /AdminPortal/Home
    - link "Tickets":
      - /url: /AdminPortal/Tickets
  - text: Logged in as admin (Admin) ·
- main:
  - heading "Acme Corporation Account 10003" [level=1]
  - region "Account Details":
    - heading "DETAILS" [level=2]
    - term: Balance
    - definition: $0.00
    - term: Next Bill Date
    - definition: 2026-07-01
    - paragraph:
      - link "Edit Account":
        - /url: /AdminPortal/Overview/10003/Edit
  - region "Packages section":
    - heading "PACKAGES" [level=2]
    - table "Packages":
      - rowgroup:
        - row "Package Status Next Bill Date":
          - columnheader "Package"
          - columnheader "Status"
          - columnheader "Next Bill Date"
      - rowgroup:
        - row "Fiber 100 Active 2026-07-01":
          - cell "Fiber 100"
          - cell "Active"
          - cell "2026-07-01"
- contentinfo: EngageIP 9.6.2 (sandbox) · business date 2026-06-15
"""

INSIGHTS = """  - region "Account Insights":
    - heading "ACCOUNT INSIGHTS NEW" [level=2]
    - list:
      - listitem: Packages 2
      - listitem: Sub accounts 2
      - listitem: Recommended action Review the package mix
"""


def tree(text: str) -> Node:
    return normalise(parse(text))


def texts(old: str, new: str) -> list[str]:
    return [c.text for c in diff(tree(old), tree(new))]


def new_release() -> str:
    text = OVERVIEW.replace('link "Edit Account"', 'link "Edit Account Details"')
    return text.replace('  - region "Packages section":', INSIGHTS + '  - region "Packages section":')


def test_the_same_page_diffs_empty() -> None:
    assert texts(OVERVIEW, OVERVIEW) == []


def test_another_day_and_other_numbers_diff_empty() -> None:
    later = (
        OVERVIEW.replace("2026-07-01", "2026-08-01")
        .replace("$0.00", "$1,234.50")
        .replace("10003", "10042")
        .replace("9.6.2", "9.7.0")
        .replace("2026-06-15", "2026-06-16")
    )
    assert texts(OVERVIEW, later) == []
    assert dump(tree(OVERVIEW)) == dump(tree(later))  # the stored snapshot does not change either


def test_data_rows_are_not_structure() -> None:
    more_rows = OVERVIEW.replace(
        '        - row "Fiber 100 Active 2026-07-01":',
        '        - row "Voice Active 2026-07-01":\n          - cell "Voice"\n'
        '        - row "Fiber 100 Active 2026-07-01":',
    )
    assert texts(OVERVIEW, more_rows) == []
    assert "Fiber" not in dump(tree(OVERVIEW))


def test_a_new_panel_and_a_renamed_link_are_told_as_a_person_would() -> None:
    assert texts(OVERVIEW, new_release()) == [
        "renamed: link 'Edit Account' -> 'Edit Account Details' (in region 'Account Details')",
        "added: region 'Account Insights' with 3 items",
    ]


def test_going_back_is_the_opposite() -> None:
    assert texts(new_release(), OVERVIEW) == [
        "renamed: link 'Edit Account Details' -> 'Edit Account' (in region 'Account Details')",
        "removed: region 'Account Insights' with 3 items",
    ]


def test_a_removed_button_and_an_added_field() -> None:
    old = """
- main:
  - form "Payment":
    - textbox "Amount": "10.00"
    - button "Pay Now"
    - button "Cancel"
"""
    new = """
- main:
  - form "Payment":
    - textbox "Amount": "10.00"
    - combobox "Processor":
      - option "Sandbox Card Gateway" [selected]
    - button "Cancel"
"""
    assert texts(old, new) == [
        "removed: button 'Pay Now' (in form 'Payment')",
        "added: combobox 'Processor' (in form 'Payment')",
    ]


def test_table_columns_added_and_removed() -> None:
    new = OVERVIEW.replace('          - columnheader "Status"\n', '          - columnheader "Price"\n')
    assert texts(OVERVIEW, new) == [
        "removed: column 'Status' from table 'Packages'",
        "added: column 'Price' in table 'Packages'",
    ]
    renamed = OVERVIEW.replace('columnheader "Next Bill Date"', 'columnheader "Next Bill"')
    assert texts(OVERVIEW, renamed) == ["renamed: column 'Next Bill Date' -> 'Next Bill' (in table 'Packages')"]
    more = OVERVIEW.replace(
        '          - columnheader "Next Bill Date"\n',
        '          - columnheader "Next Bill Date"\n          - columnheader "Discount"\n',
    )
    assert texts(OVERVIEW, more) == ["added: column 'Discount' in table 'Packages'"]


def test_dissimilar_names_are_not_a_rename() -> None:
    old = '- main:\n  - button "Save"\n'
    new = '- main:\n  - button "Delete account"\n'
    assert texts(old, new) == ["removed: button 'Save'", "added: button 'Delete account'"]


def test_a_tab_renamed_and_a_checkbox_added() -> None:
    old = '- tablist "Account tabs":\n  - tab "Overview"\n  - tab "Contact"\n'
    new = '- tablist "Account tabs":\n  - tab "Overview"\n  - tab "Contacts"\n  - checkbox "Errors only"\n'
    assert texts(old, new) == [
        "renamed: tab 'Contact' -> 'Contacts' (in tablist 'Account tabs')",
        "added: checkbox 'Errors only' (in tablist 'Account tabs')",
    ]


def test_a_field_that_became_another_kind() -> None:
    old = '- form "Ticket":\n  - textbox "Category"\n'
    new = '- form "Ticket":\n  - combobox "Category"\n'
    assert texts(old, new) == ["changed: textbox 'Category' is now a combobox (in form 'Ticket')"]


def test_a_moved_link_is_moved_not_removed_and_added() -> None:
    old = '- navigation "Main":\n  - link "Reports"\n  - link "Setup"\n- complementary "Sidebar":\n  - link "Help"\n'
    new = '- navigation "Main":\n  - link "Setup"\n- complementary "Sidebar":\n  - link "Help"\n  - link "Reports"\n'
    assert texts(old, new) == ["moved: link 'Reports' from navigation 'Main' to complementary 'Sidebar'"]


def test_reordered_links_in_one_place_are_no_change() -> None:
    old = '- navigation "Main":\n  - link "Reports"\n  - link "Setup"\n'
    new = '- navigation "Main":\n  - link "Setup"\n  - link "Reports"\n'
    assert texts(old, new) == []


def test_headings_added_and_removed() -> None:
    old = '- main:\n  - heading "Overview" [level=1]\n  - heading "Details" [level=2]\n'
    new = '- main:\n  - heading "Overview" [level=1]\n  - heading "Usage" [level=2]\n'
    assert texts(old, new) == ["removed: heading 'Details'", "added: heading 'Usage'"]


def test_duplicate_names_are_counted() -> None:
    old = '- main:\n  - button "Edit"\n  - button "Edit"\n'
    new = '- main:\n  - button "Edit"\n  - button "Edit"\n  - button "Edit"\n'
    assert texts(old, new) == ["added: button 'Edit'"]


def test_unnamed_regions_are_not_items_but_their_controls_are() -> None:
    old = '- main:\n  - region:\n    - button "Go"\n'
    assert [(i.role, i.name) for i in items(tree(old))] == [("button", "Go")]


def test_removed_controls_the_scenario_uses_are_flagged() -> None:
    changes = diff(tree(new_release()), tree(OVERVIEW))
    flagged = mark_used(changes, [Use("role", "link", "Edit Account Details", True)])
    assert [c.used for c in flagged] == [True, False]
    # a locator that still finds the renamed link (not exact: "Edit Account" is in the new name) is fine
    forward = diff(tree(OVERVIEW), tree(new_release()))
    assert [c.used for c in mark_used(forward, [Use("role", "link", "Edit Account")])] == [False, False]
    forward = diff(tree(OVERVIEW), tree(new_release()))
    assert [c.used for c in mark_used(forward, [Use("role", "link", "Edit Account", exact=True)])] == [True, False]

    def removed_field() -> list[AriaChange]:
        return diff(tree('- form "F":\n  - textbox "Portal Login"\n'), tree('- form "F"\n'))

    assert mark_used(removed_field(), [Use("label", "Portal Login")])[0].used
    assert not mark_used(removed_field(), [Use("label", "{{ row.label }}")])[0].used
    assert not mark_used(removed_field(), [Use("label", "Password")])[0].used

    def removed_button() -> list[AriaChange]:
        return diff(tree('- main:\n  - button "Log In"\n'), tree("- main\n"))

    assert mark_used(removed_button(), [Use("text", "Log In", exact=True)])[0].used
    assert not mark_used(removed_button(), [Use("role", "link", "Log In")])[0].used
    # every scenario's uses, by name: the change says which scenarios need the control
    by_scenario = {"admin-login": [Use("role", "button", "Log In")], "tickets": [Use("label", "Subject")]}
    [change] = mark_used(removed_button(), by_scenario)
    assert change.used and change.used_by == ["admin-login"]


def test_field_values_and_secrets_typed_are_not_kept() -> None:
    text = '- textbox "Password": Admin#2026\n- textbox "Username": admin\n- combobox "Package": Fiber 100\n'
    kept = dump(tree(text))
    assert "Admin#2026" not in kept and "admin" not in kept and "Fiber" not in kept
    assert 'textbox "Password"' in kept


def test_normalise_text_placeholders() -> None:
    assert normalise_text("Run 20261126-020000-ab12 at 02:00:04 on 2026-06-12: $1,204.50, 3 rows, inv 100046") == (
        "Run <run> at <time> on <date>: <amount>, <n> rows, inv <id>"
    )
    assert normalise_text("smoke-x7 signed up", known=["x7"]) == "smoke-<run> signed up"
    assert name_pattern("Acme Corporation Account <id>").match("Acme Corporation Account 10003")
    assert not name_pattern("Edit Account").match("Edit Account Details")


def test_dump_reads_back_to_the_same_tree() -> None:
    text = (
        new_release()
        + "- 'link \"it''s: odd # name\"':\n  - /url: '#x'\n- text: '- dash'\n- checkbox \"A\" [checked]\n"
    )
    first = tree(text)
    assert parse(dump(first)) == first
    assert first.children[-1].attrs == ["checked"]


def test_not_a_snapshot_is_a_clear_error() -> None:
    with pytest.raises(SnapshotError, match="not YAML"):
        parse("- a: [\n")
    with pytest.raises(SnapshotError, match="list"):
        parse("a: b\n")


def test_page_keys_and_the_baseline_of_an_earlier_step(tmp_path: Path) -> None:
    assert page_key("1", "http://h:1/AdminPortal/Overview/10003?x=1") == "001-adminportal-overview-id"
    assert page_key("5.2.1", "http://h/Reports") == "005_002_001-reports"
    (tmp_path / "001-adminportal-overview-id.yaml").write_text("[]")
    (tmp_path / "004-adminportal-reports.yaml").write_text("[]")
    assert find_baseline(tmp_path, "004-adminportal-reports") == tmp_path / "004-adminportal-reports.yaml"
    # a run that failed at step 3 on the Overview compares with what step 1 saw there
    assert find_baseline(tmp_path, "003-adminportal-overview-id") == tmp_path / "001-adminportal-overview-id.yaml"
    assert find_baseline(tmp_path, "003-adminportal-reports") is None
    assert find_baseline(tmp_path / "none", "001-x") is None
