"""The bottom navigation, listing the capabilities this app has."""

from flask import current_app, request

BOTTOM_NAV = [
    ("main.today", "Today", "today"),
    ("goals.index", "Goals", "goals"),
    ("journal.index", "Log", "log"),
    ("sessions.index", "Sessions", "sessions"),
    ("support.index", "Support", "support"),
]


def navigation() -> list[dict]:
    """The bottom navigation's items, with the current one marked."""
    here = request.endpoint or ""

    def is_current(endpoint: str) -> bool:
        blueprint = endpoint.split(".")[0]
        return here == endpoint or (blueprint != "main" and here.startswith(blueprint + "."))

    return [
        {"endpoint": endpoint, "label": label, "icon": icon, "current": is_current(endpoint)}
        for endpoint, label, icon in BOTTOM_NAV
        if endpoint in current_app.view_functions
    ]
