"""A custom check called from a scenario with `call:`."""

from typing import Any


def saved_account_is(page: Any, context: dict[str, Any], number: str) -> None:
    assert context["saved"]["account"] == number, f"saved account {context['saved']['account']} is not {number}"
    assert page.get_by_test_id("account-name").inner_text() == context["saved"]["name"]
