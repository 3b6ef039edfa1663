"""IANA time zones: validation and the choices offered on forms."""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from wtforms.fields.choices import SelectChoice

COMMON_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
]


@cache
def all_zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows, without the legacy aliases."""
    return frozenset(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))) | {"UTC"}


def is_valid_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone we accept."""
    return name in all_zones()


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a stored time zone name."""
    return ZoneInfo(name)


@cache
def zone_choices() -> list[SelectChoice]:
    """Choices for a time zone select: the common US zones first, then every zone."""
    common = [SelectChoice(value, label, optgroup="United States") for value, label in COMMON_ZONES]
    listed = {value for value, _ in COMMON_ZONES}
    return common + [SelectChoice(z, z.replace("_", " "), optgroup="All time zones")
                     for z in sorted(all_zones() - listed)]
