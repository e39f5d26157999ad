"""The one scrubber (smoke.secrets) and the one is-the-target-down check (smoke.server), without a browser."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from smoke.run.pool import problem
from smoke.secrets import MASK, Scrubber, Secrets
from smoke.server import check_reachable, free_port, target_down, unreachable


def test_the_run_and_the_report_scrub_alike() -> None:
    values = ["4111111111111111", "p&ss<word> x", "Demo#Pass1"]
    run, report = Secrets(values), Scrubber(values)
    samples = [
        "card 4111 1111 1111 1111 and 4111-1111-1111-1111 and 4111111111111111",
        "GET /login?pw=p%26ss%3Cword%3E%20x and ?pw=p%26ss%3Cword%3E+x",
        "typed p&ss<word> x, shown p&amp;ss&lt;word&gt; x",
        "user demo password Demo%23Pass1 / Demo#Pass1",
    ]
    for text in samples:
        assert run.scrub(text) == report.text(text)
        for value in values:
            assert value not in (run.scrub(text) or "")
    assert run.scrub(samples[0]) == f"card {MASK} and {MASK} and {MASK}"
    assert run.scrub(samples[1]) == f"GET /login?pw={MASK} and ?pw={MASK}"
    assert run.scrub(samples[2]) == f"typed {MASK}, shown {MASK}"


def test_where_the_two_old_scrubbers_differed_the_one_that_masks_more_is_kept() -> None:
    # the run's scrubber used to mask only the exact value; grouped and URL-quoted forms got through
    secrets = Secrets(["000123456789", "s3cret pw"])
    assert secrets.scrub("account 0001 2345 6789") == f"account {MASK}"
    assert secrets.scrub("account 0001-2345-6789") == f"account {MASK}"
    assert secrets.scrub("/reset?pw=s3cret%20pw") == f"/reset?pw={MASK}"
    assert secrets.scrub("/reset?pw=s3cret+pw") == f"/reset?pw={MASK}"
    # the report's text pass used to miss a secret already HTML-escaped in a recorded text
    assert Scrubber(["a<b>&c"]).text("seen a&lt;b&gt;&amp;c") == f"seen {MASK}"
    # a secret inside a longer one: the longer is masked whole, not in two pieces
    assert Secrets(["abcd", "abcd1234"]).scrub("abcd1234xyz abcd") == f"{MASK}xyz {MASK}"


def test_short_values_are_masked_in_texts_only_and_never_registered_from_a_run() -> None:
    scrub = Scrubber(["abc"])
    assert scrub.text("abc") == MASK
    assert scrub.document("<abbr>abc</abbr>") == "<abbr>abc</abbr>"
    # from data files ("cvv: 123") a short value would mask every account number that contains it
    secrets = Secrets(["123", "ok", "", None])  # type: ignore[list-item]
    assert secrets.values() == [] and not secrets.scrubber()
    assert secrets.scrub("account 100123 ok") == "account 100123 ok"
    assert secrets.scrub(None) is None and secrets.scrub("") == ""


def test_a_secret_added_while_running_is_scrubbed_from_then_on() -> None:
    secrets = Secrets(["first-secret"])
    assert secrets.scrub("first-secret typed-later") == f"{MASK} typed-later"
    secrets.add("typed-later")
    assert "typed-later" in secrets
    assert secrets.scrub("first-secret typed-later") == f"{MASK} {MASK}"
    assert secrets.values() == ["first-secret", "typed-later"]


def test_values_under_secret_looking_keys_are_registered() -> None:
    secrets = Secrets()
    secrets.add_from_data(
        {"cards": [{"card_number": 4000000000000002, "holder": "Ann Lee"}], "bank": {"routing": "011000015"}}
    )
    assert set(secrets.values()) == {"4000000000000002", "011000015"}


def test_walk_scrubs_nested_texts_but_not_image_paths() -> None:
    scrub = Scrubber(["4111111111111111"])
    view = {"steps": [("fill 4111111111111111", {"thumb_src": "shots/4111111111111111.jpg"})]}
    assert scrub.walk(view) == {"steps": [(f"fill {MASK}", {"thumb_src": "shots/4111111111111111.jpg"})]}
    assert Scrubber([]).walk(view) is view


@pytest.mark.parametrize(
    "error",
    [
        "Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/",
        "net::ERR_CONNECTION_RESET",
        "net::ERR_EMPTY_RESPONSE",
        "net::ERR_ADDRESS_UNREACHABLE",
        "net::ERR_NAME_NOT_RESOLVED at http://no-such-host.invalid/",
        "apiRequestContext.get: connect ECONNREFUSED 127.0.0.1:9",
        ConnectionError("connect ECONNREFUSED 127.0.0.1:9"),
    ],
)
def test_errors_that_say_nothing_answered_mean_the_target_is_down(error: str | Exception) -> None:
    assert target_down(error)


@pytest.mark.parametrize("error", ["Timeout 30000ms exceeded.", "net::ERR_ABORTED", "strict mode violation", ""])
def test_other_errors_do_not(error: str) -> None:
    assert not target_down(error)


class _Status500(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def failing_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status500)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_answer_of_any_status_is_reachable(failing_server: str) -> None:
    assert unreachable(failing_server) is None
    assert unreachable(failing_server, http=True) is None
    assert check_reachable([failing_server + "/x"]) == []
    port = failing_server.rsplit(":", 1)[1]
    assert problem(f"ws://127.0.0.1:{port}/") is None


def test_nothing_listening_is_unreachable_with_the_reason() -> None:
    port = free_port()  # bound and released: nothing listens there now
    why = unreachable(f"http://127.0.0.1:{port}/")
    assert why is not None and f"127.0.0.1:{port}" in why and "refused" in why.lower()
    [line] = check_reachable([f"http://127.0.0.1:{port}/"])
    assert line.startswith(f"http://127.0.0.1:{port}/: ") and "refused" in line.lower()
    assert problem(f"ws://127.0.0.1:{port}/") == why
    assert problem(f"http://127.0.0.1:{port}/") == "not a ws:// or wss:// address"


def test_a_listener_that_never_answers_http_is_up_for_connect_and_down_for_http() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        assert unreachable(url, timeout=0.5) is None
        assert unreachable(url, timeout=0.5, http=True) is not None


def test_screenshots_look_for_every_written_form_but_not_the_encoded_ones() -> None:
    written = Secrets(["4111111111111111", "p&ss w0rd"]).written()
    assert {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "p&ss w0rd"} == set(written)
    assert written == sorted(written, key=len, reverse=True)  # a grouped form before the compact one
