"""Start the Django admin site on a free port: ``python -m tests.thirdparty.serve --port 0``.

A fresh SQLite file in a temporary folder is migrated and given a superuser (``DJANGO_ADMIN_USER``
/ ``DJANGO_ADMIN_PASSWORD``, defaults smoke / Smoke#Django1), then waitress serves the WSGI
application, static files included. The first line printed is ``serving on URL``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

USER = "smoke"
PASSWORD = "Smoke#Django1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tests.thirdparty.serve")
    parser.add_argument("--port", type=int, default=0, help="0: the system picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="smoke-django-"))
    os.environ["SMOKE_DJANGO_DB"] = str(folder / "db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.thirdparty.settings")
    # SIGTERM (how servers are stopped) ends the process through the finally below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        import django
        import waitress
        from django.contrib.auth import get_user_model
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application

        django.setup()
        call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
        user = os.environ.get("DJANGO_ADMIN_USER", USER)
        get_user_model().objects.create_superuser(
            user, f"{user}@example.com", os.environ.get("DJANGO_ADMIN_PASSWORD", PASSWORD)
        )
        server = waitress.create_server(
            StaticFilesHandler(get_wsgi_application()), host=args.host, port=args.port, threads=4
        )
        print(f"serving on http://{args.host}:{server.effective_port}", flush=True)
        server.run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
