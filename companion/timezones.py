"""IANA time zones: validation and the choices offered on forms."""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

COMMON_ZONES = [
    ("America/New_York", _l("Eastern (New York)")),
    ("America/Chicago", _l("Central (Chicago)")),
    ("America/Denver", _l("Mountain (Denver)")),
    ("America/Phoenix", _l("Arizona (Phoenix)")),
    ("America/Los_Angeles", _l("Pacific (Los Angeles)")),
    ("America/Anchorage", _l("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _l("Hawaii (Honolulu)")),
    ("America/Puerto_Rico", _l("Atlantic (Puerto Rico)")),
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
    common = [SelectChoice(value, label, optgroup=_l("United States")) for value, label in COMMON_ZONES]
    listed = {value for value, _ in COMMON_ZONES}
    return common + [SelectChoice(z, z.replace("_", " "), optgroup=_l("All time zones"))
                     for z in sorted(all_zones() - listed)]
