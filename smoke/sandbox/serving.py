"""Running a waitress server until a signal: the sandbox's server and the RADIUS stand-in (each its own
process) both stop this way. Apart from server.py, which starts the RADIUS process, so radius.py need
not import it."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable
from typing import Any


def serve_until_signalled(
    server: Any, signals: Iterable[str] = ("SIGTERM", "SIGINT", "SIGHUP"), on_ready: Callable[[], None] | None = None
) -> None:
    """Run a waitress server until one of these signals (those the platform has) arrives, then close
    it. ``on_ready`` runs once the handlers are in place, so a signal sent after it is handled."""

    def _stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    for name in signals:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)
    if on_ready is not None:
        on_ready()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
