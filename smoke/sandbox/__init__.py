"""The sandbox: a stand-in EngageIP staging server (AdminPortal + customer portal) with faults.

Importing this package is cheap: Flask is only imported by :func:`smoke.sandbox.app.create_app`.
"""

VERSION = "9.6.2"
VERSION_STRING = f"EngageIP {VERSION} (sandbox)"
DEFAULT_TODAY = "2026-06-15"
TODAY_ENV = "ENGAGEIP_SANDBOX_TODAY"

__all__ = ["DEFAULT_TODAY", "TODAY_ENV", "VERSION", "VERSION_STRING"]
