"""Importing Meeting Guide feeds: the real Sussex AA feed, other feeds' shapes, and every bad input refused."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.models import Meeting, MeetingFeed

FEED = Path(__file__).parent / "data" / "sussex-aa.json"


def meeting(**fields) -> dict:
    record = {"name": "Serenity", "slug": "serenity", "day": 1, "time": "19:00",
              "formatted_address": "1 Main St, Lewes, DE 19958, USA"}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def write(tmp_path, records, name="feed.json") -> str:
    path = tmp_path / name
    path.write_text(records if isinstance(records, str) else json.dumps(records))
    return str(path)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


@pytest.fixture
def program(make_program):
    return make_program(slug="riverside", timezone="America/New_York")


def run_import(runner, source, *args):
    return runner.invoke(args=["meetings", "import", source, *args])


def test_the_real_sussex_feed_imports_every_meeting(runner, program):
    result = run_import(runner, str(FEED), "--program", "riverside")
    assert result.exit_code == 0, result.output
    assert "123 meetings" in result.output
    assert count() == 123
    last_call = db.session.scalar(select(Meeting).where(Meeting.slug == "last-call"))
    assert (last_call.days, last_call.time, last_call.end_time) == ([0], "23:00", "00:00")
    assert last_call.program_id == program.id and last_call.timezone == "America/New_York"
    assert last_call.formatted_address == "19285 Holland Glade Rd, Rehoboth Beach, DE 19971, USA"
    assert last_call.latitude == pytest.approx(38.7190227)


def test_legacy_onl_code_is_kept_and_online_meetings_are_marked(runner, program):
    run_import(runner, str(FEED), "--program", "riverside")
    online = db.session.scalars(select(Meeting).where(Meeting.online.is_(True))).all()
    assert len(online) == 29
    assert all("ONL" in m.types and m.conference_url.startswith("https://") for m in online)


def test_importing_the_same_feed_again_creates_no_duplicates(runner, program):
    run_import(runner, str(FEED), "--program", "riverside")
    ids = set(db.session.scalars(select(Meeting.id)))
    result = run_import(runner, str(FEED), "--program", "riverside")
    assert result.exit_code == 0 and "0 new, 123 updated" in result.output
    assert set(db.session.scalars(select(Meeting.id))) == ids
    assert db.session.scalar(select(func.count()).select_from(MeetingFeed)) == 1


def test_a_reimport_updates_by_slug_and_removes_meetings_gone_from_the_feed(runner, program, tmp_path):
    path = write(tmp_path, [meeting(slug="a", name="Old name"), meeting(slug="b")])
    run_import(runner, path, "--program", "riverside")
    kept_id = db.session.scalar(select(Meeting.id).where(Meeting.slug == "a"))
    write(tmp_path, [meeting(slug="a", name="New name"), meeting(slug="c")])
    result = run_import(runner, path, "--program", "riverside")
    assert "1 new, 1 updated, 1 removed" in result.output
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Meeting.slug))) == ["a", "c"]
    assert db.session.get(Meeting, kept_id).name == "New name"


def test_a_second_feed_for_the_program_keeps_the_first(runner, program, tmp_path):
    run_import(runner, write(tmp_path, [meeting(slug="1", name="AA meeting")], "aa.json"), "--program", "riverside")
    result = run_import(runner, write(tmp_path, [meeting(slug="1", name="NA meeting")], "na.json"), "--program", "riverside")
    assert result.exit_code == 0
    assert sorted(db.session.scalars(select(Meeting.name))) == ["AA meeting", "NA meeting"]


def test_other_feed_shapes_are_taken(runner, program, tmp_path):
    records = [
        {"name": "Numbers", "slug": 4521, "day": [1, 3, 5], "time": "7:30",
         "address": "12 Oak Ave", "city": "Dover", "state": "DE", "postal_code": "19901", "country": "US",
         "types": ["O", "LOC", "ONL", 12], "timezone": "America/Chicago"},
        {"name": "By appointment", "slug": "appt", "conference_phone": "+1 555 123 4567"},
        {"name": "Strings", "slug": "s", "day": "2", "time": "06:15:00", "latitude": "38.5", "longitude": "-75.1",
         "formatted_address": "Lewes, DE", "types": "O,D"},
    ]
    result = run_import(runner, write(tmp_path, records), "--program", "riverside")
    assert result.exit_code == 0, result.output
    numbers = db.session.scalar(select(Meeting).where(Meeting.slug == "4521"))
    assert numbers.days == [1, 3, 5] and numbers.time == "07:30" and numbers.end_time == "08:30"
    assert numbers.formatted_address == "12 Oak Ave, Dover, DE 19901, US"
    assert numbers.types == ["O", "LOC", "ONL", "12"] and numbers.timezone == "America/Chicago"
    appointment = db.session.scalar(select(Meeting).where(Meeting.slug == "appt"))
    assert appointment.days == [] and appointment.time is None and appointment.online
    strings = db.session.scalar(select(Meeting).where(Meeting.slug == "s"))
    assert (strings.days, strings.time, strings.latitude, strings.types) == ([2], "06:15", 38.5, ["O", "D"])


def test_markup_in_a_name_is_imported_as_text(runner, program, tmp_path, client, auth, make_user):
    run_import(runner, write(tmp_path, [meeting(name="<script>alert(1)</script> Hope")]), "--program", "riverside")
    stored = db.session.scalar(select(Meeting))
    assert stored.name == "<script>alert(1)</script> Hope"
    make_user(email="p@example.org", program=program)
    auth.login("p@example.org")
    page = client.get(f"/support/meetings/{stored.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hope" in page and "<script>alert(1)" not in page


@pytest.mark.parametrize("records, reason", [
    ([meeting(name=None)], "Record 0 (slug \"serenity\"): has no name"),
    ([meeting(slug=None)], "Record 0: has no slug"),
    ([meeting(slug="")], "has no slug"),
    ([meeting(day=7)], "day 7 must be 0 (Sunday) to 6"),
    ([meeting(day=[1, 9])], "day [1, 9] must be"),
    ([meeting(day="monday")], "day \"monday\" must be"),
    ([meeting(day=True)], "day true must be"),
    ([meeting(time="25:00")], "time \"25:00\" is not a time of day"),
    ([meeting(time="7pm")], "time \"7pm\" is not a time of day"),
    ([meeting(time=None)], "has a day but no time"),
    ([meeting(day=None)], "has a time but no day"),
    ([meeting(end_time="99:99")], "end_time \"99:99\" is not"),
    ([meeting(formatted_address=None)], "needs an address or a conference URL"),
    ([meeting(conference_url="javascript:alert(1)")], "conference_url must be a web address"),
    ([meeting(timezone="Mars/Olympus")], "timezone \"Mars/Olympus\" is not a time zone"),
    ([meeting(name="x" * 256)], "name is longer than 255"),
    ([meeting(name="bad\x00name")], "name contains a NUL"),
    ([meeting(latitude=123)], "latitude 123 is not a coordinate"),
    ([meeting(), meeting(name="Again")], "Record 1 (slug \"serenity\"): has the same slug as record 0"),
    (["not an object"], "Record 0: is not a JSON object"),
])
def test_a_bad_record_fails_the_import_naming_it_and_writes_nothing(runner, program, tmp_path, records, reason):
    good = [meeting(slug=f"good-{i}") for i in range(3)]
    result = run_import(runner, write(tmp_path, records + good), "--program", "riverside")
    assert result.exit_code != 0
    assert reason in result.output, result.output
    assert "Nothing was changed" in result.output
    assert count() == 0


def test_one_bad_record_keeps_the_earlier_list_as_it_was(runner, program, tmp_path):
    path = write(tmp_path, [meeting(slug="a"), meeting(slug="b")])
    run_import(runner, path, "--program", "riverside")
    write(tmp_path, [meeting(slug="a", name="Changed"), meeting(slug="c", day=12)])
    assert run_import(runner, path, "--program", "riverside").exit_code != 0
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Meeting.slug))) == ["a", "b"]
    assert db.session.scalar(select(Meeting.name).where(Meeting.slug == "a")) == "Serenity"


def test_a_type_code_alone_never_fails_an_import(runner, program, tmp_path):
    result = run_import(runner, write(tmp_path, [meeting(types=["ZZZ", "", None, {"x": 1}, "y" * 99, "O"])]),
                        "--program", "riverside")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Meeting)).types == ["ZZZ", "O"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"name": "a"}', "should be a JSON list of meetings"),
    ("[]", "has no meetings"),
    ("", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
])
def test_a_malformed_feed_is_refused_clearly(runner, program, tmp_path, content, message):
    result = run_import(runner, write(tmp_path, content), "--program", "riverside")
    assert result.exit_code != 0 and message in result.output
    assert count() == 0


def test_a_feed_that_is_not_utf8_is_refused(runner, program, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"name": "Caf\xe9"}]'.encode("latin-1"))
    result = run_import(runner, str(path), "--program", "riverside")
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_ten_megabytes_are_refused_before_reading(runner, program, tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + " " * (10 * 1024 * 1024) + "]")
    result = run_import(runner, str(path), "--program", "riverside")
    assert result.exit_code != 0 and "larger than 5 MB" in result.output
    assert count() == 0


def test_a_missing_file_and_an_unknown_program_are_named(runner, program, tmp_path):
    assert "There is no file" in run_import(runner, str(tmp_path / "nope.json")).output
    assert "no program with the slug 'nowhere'" in run_import(runner, str(FEED), "--program", "nowhere").output


def test_without_a_program_the_meetings_are_listed_for_everyone(runner, app):
    result = run_import(runner, str(FEED))
    assert result.exit_code == 0 and "for everyone" in result.output
    assert db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.program_id.is_(None))) == 123


class FeedServer:
    """A local HTTP server answering one path with a feed, others with errors."""

    def __init__(self, body: bytes, status: int = 200):
        outer = self
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/feed.json")
                    self.end_headers()
                    return
                code = status if self.path == "/feed.json" else 404
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def allow_loopback(app):
    app.config["MEETING_FEED_ALLOW_LOOPBACK"] = True


def test_a_feed_is_imported_from_a_url(runner, program, allow_loopback):
    with FeedServer(FEED.read_bytes()) as server:
        result = run_import(runner, f"{server.url}/feed.json", "--program", "riverside")
    assert result.exit_code == 0, result.output
    assert count() == 123


def test_a_redirect_is_followed(runner, program, allow_loopback):
    with FeedServer(FEED.read_bytes()) as server:
        assert run_import(runner, f"{server.url}/moved", "--program", "riverside").exit_code == 0
    assert count() == 123


def test_a_url_answering_an_error_is_refused(runner, program, allow_loopback):
    with FeedServer(b"oops", status=500) as server:
        result = run_import(runner, f"{server.url}/feed.json", "--program", "riverside")
        missing = run_import(runner, f"{server.url}/other.json", "--program", "riverside")
    assert result.exit_code != 0 and "answered 500" in result.output
    assert missing.exit_code != 0 and "answered 404" in missing.output
    assert count() == 0


def test_a_url_that_does_not_answer_is_refused(runner, program, allow_loopback):
    import socket

    with socket.socket() as sock:  # bound but never listening, so no other test can take the port meanwhile
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        result = run_import(runner, f"http://127.0.0.1:{port}/feed.json", "--program", "riverside")
    assert result.exit_code != 0 and "could not read the feed" in result.output


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/feed.json", "http://localhost/feed.json", "http://10.0.0.5/feed.json",
    "http://192.168.1.1/feed.json", "http://169.254.169.254/latest/meta-data", "http://[::1]/feed.json",
    "http://0.0.0.0/feed.json",
])
def test_private_and_loopback_addresses_are_refused_without_the_test_setting(runner, program, url):
    with FeedServer(FEED.read_bytes()) as server:
        target = url.replace("127.0.0.1:9", f"127.0.0.1:{server.server.server_port}")
        result = run_import(runner, target, "--program", "riverside")
        assert server.hits == 0
    assert result.exit_code != 0 and "private or local address" in result.output


@pytest.mark.parametrize("url", ["ftp://example.org/feed.json", "file:///etc/passwd", "gopher://x/"])
def test_only_web_addresses_are_fetched(runner, program, url):
    result = run_import(runner, url, "--program", "riverside")
    assert result.exit_code != 0 and "must start with https://" in result.output
