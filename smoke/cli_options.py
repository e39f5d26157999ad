"""Click options that several ``smoke`` commands take, defined once so they mean the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def scenarios_option(
    help: str = "The scenarios folder (with targets.yaml, checklist.yaml, data/).",
) -> Callable[[F], F]:
    """``--scenarios DIR`` (the parameter ``scenarios_dir``, default ``scenarios``); each command says
    in ``help`` what it reads there."""
    return click.option(
        "--scenarios",
        "scenarios_dir",
        default="scenarios",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


target_option = click.option(
    "--target", "-t", default=None, help="Target name from targets.yaml (default: its default)."
)
server_url_option = click.option(
    "--server-url", default=None, help="Use an already running server for a target that starts its own."
)
