"""The sandbox: a stand-in EngageIP staging server (AdminPortal + customer portal) with faults.

Importing this package is cheap: Flask is only imported by :func:`smoke.sandbox.app.create_app`.
"""

VERSION = "9.6.2"
VERSION_STRING = f"EngageIP {VERSION} (sandbox)"
DEFAULT_TODAY = "2026-06-15"
TODAY_ENV = "ENGAGEIP_SANDBOX_TODAY"
# The look switch: "new" gives the Overview page a new panel and renames its Edit Account button,
# like a new release that changes pages without breaking them (to demo visual comparison).
LOOKS = ("classic", "new")
LOOK_ENV = "ENGAGEIP_SANDBOX_LOOK"

__all__ = ["DEFAULT_TODAY", "LOOKS", "LOOK_ENV", "TODAY_ENV", "VERSION", "VERSION_STRING"]
