"""Reading Meeting Guide JSON feeds: fetching them safely and checking every record.

The format is Code for Recovery's Meeting Guide API (github.com/code4recovery/spec). Real feeds go beyond
it: integer slugs, a list of days, address parts instead of ``formatted_address``, no ``end_time``, and
legacy or local type codes. All of these are taken; a record that cannot be shown correctly is refused
with its index and slug, and then the whole feed is refused.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
from flask_babel import gettext as _
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from companion.errors import Invalid
from companion.netguard import allowed_address, pinned_connection
from companion.timezones import is_valid_zone

MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 20_000
MAX_LISTED_ERRORS = 50
FETCH_TIMEOUT = 15
MAX_REDIRECTS = 3

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$")
PHONE = re.compile(r"^[0-9+()\-.,*#pPwW ]{1,100}$")

# Lengths of the columns these fields go into.
TEXT_LIMITS = {"name": 255, "location": 255, "formatted_address": 500, "region": 255, "group": 255,
               "notes": 20_000, "location_notes": 20_000, "conference_url_notes": 20_000,
               "conference_phone_notes": 20_000, "address": 255, "city": 100, "state": 100,
               "postal_code": 20, "country": 100}


class FeedError(Invalid):
    """A feed that cannot be imported; ``errors["feed"]`` lists every reason."""

    def __init__(self, detail: str, reasons: list[str] | None = None):
        super().__init__(detail, {"feed": reasons or [detail]})


@dataclass
class Source:
    """Where a feed comes from, and what it held."""

    name: str
    data: bytes


def is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", source))


def read_file(path: str, *, max_bytes: int = MAX_FEED_BYTES) -> Source:
    """A feed from a file on this machine."""
    file = Path(path).expanduser()
    try:
        if not file.is_file():
            raise FeedError(f"There is no file at {path}.")
        if file.stat().st_size > max_bytes:
            raise FeedError(f"The file is larger than {max_bytes // (1024 * 1024)} MB; a meeting feed is much smaller.")
        return Source(str(file.resolve()), file.read_bytes())
    except OSError as error:
        raise FeedError(f"The file {path} could not be read ({error.strerror or error}).") from None


def fetch_url(url: str, *, max_bytes: int = MAX_FEED_BYTES, allow_loopback: bool = False,
              timeout: float = FETCH_TIMEOUT) -> Source:
    """A feed from the web: only http(s), only public addresses (loopback when a test allows it)."""
    original = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FeedError(f"{url} is not a web address we can read.") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedError("The address must start with https:// (or http://).")
        try:
            infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise FeedError(f"We could not find the server {parts.hostname}. Check the address.") from None
        addresses = [info[4][0] for info in infos]
        if not addresses or not all(allowed_address(a, allow_loopback) for a in addresses):
            raise FeedError(f"{parts.hostname} is a private or local address; only public web addresses can be read.")
        connection = pinned_connection(parts.scheme, parts.hostname, port, addresses[0], timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response = None
        try:
            connection.request("GET", target, headers={"Accept": "application/json",
                                                       "User-Agent": "Companion meeting list import"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FeedError(f"The server answered {response.status} {response.reason} instead of the feed.")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FeedError(f"The feed is larger than {max_bytes // (1024 * 1024)} MB; a meeting feed is much smaller.")
            data = response.read(max_bytes + 1)
        except (OSError, http.client.HTTPException) as error:
            reason = "it took too long to answer" if isinstance(error, TimeoutError) else "it did not answer properly"
            raise FeedError(f"We could not read the feed from {parts.hostname}: {reason}.") from None
        finally:
            if response is not None:
                response.close()
            connection.close()
        if len(data) > max_bytes:
            raise FeedError(f"The feed is larger than {max_bytes // (1024 * 1024)} MB; a meeting feed is much smaller.")
        return Source(original, data)
    raise FeedError("The address redirected too many times.")


def _label(index: int, record) -> str:
    slug = record.get("slug") if isinstance(record, dict) else None
    if isinstance(slug, str | int) and not isinstance(slug, bool) and str(slug).strip():
        return f'Record {index} (slug "{str(slug).strip()[:80]}")'
    return f"Record {index}"


def _text(record: dict, key: str, problems: list[str], *, limit: int | None = None) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(_("%(key)s must be text", key=key))
        return None
    value = str(value).strip()
    if "\x00" in value:
        problems.append(_("%(key)s contains a NUL character", key=key))
        return None
    limit = limit or TEXT_LIMITS.get(key, 2000)
    if len(value) > limit:
        problems.append(_("%(key)s is longer than %(limit)s characters", key=key, limit=limit))
        return None
    return value or None


def _time(value, key: str, problems: list[str]) -> str | None:
    if value is None or value == "":
        return None
    match = TIME.match(value) if isinstance(value, str) else None
    if not match:
        problems.append(f"{key} {json.dumps(value)[:40]} is not a time of day (HH:MM, 24-hour)")
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _days(value, problems: list[str]) -> list[int] | None:
    values = value if isinstance(value, list) else [value]
    days = []
    for item in values:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
            problems.append(f"day {json.dumps(value)[:40]} must be 0 (Sunday) to 6 (Saturday), or a list of them")
            return None
        days.append(item)
    if not days:
        problems.append(_("day is an empty list"))
        return None
    return sorted(set(days))


def _coordinate(record: dict, key: str, bound: float, problems: list[str]) -> float | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not -bound <= number <= bound:
        problems.append(f"{key} {json.dumps(value)[:40]} is not a coordinate")
        return None
    return number


def _types(value) -> list[str]:
    # Type codes are kept as they are; a malformed one is dropped, never a reason to refuse the feed.
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    codes = []
    for item in value:
        if isinstance(item, str | int) and not isinstance(item, bool):
            code = str(item).strip()
            if code and len(code) <= 30 and "|" not in code and "\x00" not in code and code not in codes:
                codes.append(code)
    return codes[:40]


def _web_url(value) -> str | None:
    if isinstance(value, str) and re.match(r"^https?://[^\s]+$", value.strip()) and len(value.strip()) <= 2000:
        return value.strip()
    return None


def check_record(record, default_zone: str) -> tuple[dict | None, list[str]]:
    """A feed record as the model's fields, or the problems that keep it out."""
    if not isinstance(record, dict):
        return None, ["is not a JSON object"]
    problems: list[str] = []
    name = _text(record, "name", problems)
    if name is None and not any(p.startswith("name") for p in problems):
        problems.append(_("has no name"))
    slug = record.get("slug")
    if isinstance(slug, bool) or not isinstance(slug, str | int) or not str(slug).strip():
        problems.append(_("has no slug"))
        slug = None
    else:
        slug = str(slug).strip()
        if len(slug) > 255 or "\x00" in slug:
            problems.append(_("slug is longer than 255 characters or holds a NUL character"))

    days = _days(record["day"], problems) if record.get("day") not in (None, "", []) else None
    time = _time(record.get("time"), "time", problems)
    end_time = _time(record.get("end_time"), "end_time", problems)
    if days is not None and time is None and not any(p.startswith("time") for p in problems):
        problems.append(_("has a day but no time"))
    if time is not None and days is None and not any(p.startswith("day") for p in problems):
        problems.append(_("has a time but no day"))
    if time and not end_time:
        hours, minutes = map(int, time.split(":"))
        end_time = f"{(hours + 1) % 24:02d}:{minutes:02d}"  # the spec's default: one hour

    zone = record.get("timezone")
    if zone in (None, ""):
        zone = default_zone
    elif not isinstance(zone, str) or not is_valid_zone(zone):
        problems.append(f"timezone {json.dumps(zone)[:60]} is not a time zone name like America/New_York")

    address = _text(record, "formatted_address", problems)
    if address is None:
        parts = [_text(record, key, problems) for key in ("address", "city")]
        state_zip = " ".join(p for p in (_text(record, "state", problems), _text(record, "postal_code", problems)) if p)
        parts += [state_zip, _text(record, "country", problems)]
        address = ", ".join(p for p in parts if p) or None
        if address and len(address) > 500:
            problems.append(_("the address is longer than 500 characters"))

    conference_url = None
    if record.get("conference_url") not in (None, ""):
        conference_url = _web_url(record.get("conference_url"))
        if conference_url is None:
            problems.append(_("conference_url must be a web address starting with https://"))
    conference_phone = _text(record, "conference_phone", problems, limit=100)
    if conference_phone and not PHONE.match(conference_phone):
        problems.append(_("conference_phone must be a phone number"))
    if not address and not conference_url and not conference_phone:
        problems.append(_("needs an address or a conference URL"))

    latitude = _coordinate(record, "latitude", 90, problems)
    longitude = _coordinate(record, "longitude", 180, problems)
    regions = record.get("regions")
    region = _text(record, "region", problems)
    if isinstance(regions, list) and regions and all(isinstance(r, str) for r in regions):
        region = ", ".join(r.strip() for r in regions if r.strip())[:255] or region
    location = _text(record, "location", problems)
    group = _text(record, "group", problems)
    notes = _text(record, "notes", problems)
    location_notes = _text(record, "location_notes", problems)
    url_notes = _text(record, "conference_url_notes", problems)
    phone_notes = _text(record, "conference_phone_notes", problems)
    types = _types(record.get("types"))

    if problems:
        return None, problems
    attendance = record.get("attendance_option")
    in_person = bool(address) and "TC" not in types and attendance not in ("online", "inactive") \
        and str(record.get("approximate", "no")).lower() != "yes"
    search = " ".join(p for p in (name, location, address, region, group) if p).lower()
    return {
        "slug": slug, "name": name, "day_mask": sum(1 << d for d in days or []), "time": time,
        "end_time": end_time if time else None, "timezone": zone, "types": types,
        "type_codes": "|" + "".join(f"{code}|" for code in types), "online": bool(conference_url or conference_phone),
        "in_person": in_person, "location": location, "formatted_address": address, "region": region,
        "latitude": latitude if longitude is not None else None,
        "longitude": longitude if latitude is not None else None, "notes": notes,
        "location_notes": location_notes, "conference_url": conference_url, "conference_url_notes": url_notes,
        "conference_phone": conference_phone, "conference_phone_notes": phone_notes, "group_name": group,
        "url": _web_url(record.get("url")), "search_text": search,
    }, []


def parse_feed(data: bytes, default_zone: str) -> list[dict]:
    """Every record of a feed, checked; a FeedError naming each bad record when any is bad."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB; a meeting feed is much smaller.")
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedError("The feed is not text in UTF-8; it should be a Meeting Guide JSON file.") from None
    except (ValueError, RecursionError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        raise FeedError(f"The feed is not valid JSON{where}; it should be a Meeting Guide JSON file.") from None
    if not isinstance(records, list):
        raise FeedError("The feed should be a JSON list of meetings, as in the Meeting Guide format.")
    if not records:
        raise FeedError("The feed has no meetings in it. Nothing was changed.")
    if len(records) > MAX_RECORDS:
        raise FeedError(f"The feed has {len(records)} meetings; at most {MAX_RECORDS} can be imported at once.")
    checked, reasons, seen = [], [], {}
    for index, record in enumerate(records):
        fields, problems = check_record(record, default_zone)
        if fields is not None and fields["slug"] in seen:
            problems = [f"has the same slug as record {seen[fields['slug']]}"]
        if problems:
            reasons.append(f"{_label(index, record)}: {'; '.join(problems)}.")
            continue
        seen[fields["slug"]] = index
        checked.append(fields)
    if reasons:
        count = len(reasons)
        listed = reasons[:MAX_LISTED_ERRORS]
        if count > MAX_LISTED_ERRORS:
            listed.append(f"... and {count - MAX_LISTED_ERRORS} more.")
        raise FeedError(f"The feed was not imported: {count} of {len(records)} records are not valid. "
                        "Nothing was changed.", listed)
    return checked
