"""The bottom navigation: the capabilities this app has, for the signed-in person's role."""

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

PARTICIPANT_NAV = [
    ("main.today", _l("Today"), "today"),
    ("goals.index", _l("Goals"), "goals"),
    ("journal.index", _l("Log"), "log"),
    ("sessions.index", _l("Sessions"), "sessions"),
    ("support.index", _l("Support"), "support"),
]
COUNSELOR_NAV = [
    ("counselor.caseload", _l("Caseload"), "goals"),
    ("sessions.index", _l("Sessions"), "sessions"),
    ("support.index", _l("Support"), "support"),
]
ADMIN_NAV = [
    ("admin.index", _l("Program"), "today"),
    ("sessions.index", _l("Sessions"), "sessions"),
    ("support.index", _l("Support"), "support"),
]


def navigation() -> list[dict]:
    """The bottom navigation's items, with the current one marked."""
    if not current_user.is_authenticated or session.get("locked"):
        return []  # a locked app shows only the way to unlock it (and crisis help)
    items = {"counselor": COUNSELOR_NAV, "admin": ADMIN_NAV}.get(current_user.role, PARTICIPANT_NAV)
    here = request.endpoint or ""

    def is_current(endpoint: str) -> bool:
        blueprint = endpoint.split(".")[0]
        return here == endpoint or (blueprint != "main" and here.startswith(blueprint + "."))

    return [
        {"endpoint": endpoint, "label": label, "icon": icon, "current": is_current(endpoint)}
        for endpoint, label, icon in items
        if endpoint in current_app.view_functions
    ]
