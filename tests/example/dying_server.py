"""The example site, served until someone asks for /die: a target that goes away mid-run."""

import functools
import http.server
import sys
import threading
from pathlib import Path


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/die"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"bye")
            threading.Thread(target=self.server.shutdown).start()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    site = Path(__file__).parent / "site"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", int(sys.argv[1])), functools.partial(Handler, directory=str(site))
    )
    server.serve_forever()
    server.server_close()
