"""AdminPortal: /AdminPortal/..., one module of routes per area, all on the one blueprint ``bp``."""

from __future__ import annotations

# Importing the area modules registers their routes on bp.
from . import (  # noqa: F401
    accounts,
    billing,
    contacts,
    extensions,
    imports,
    packages,
    payments,
    provisioning,
    reports,
    session,
    setup,
    tickets,
)
from .common import bp

__all__ = ["bp"]
