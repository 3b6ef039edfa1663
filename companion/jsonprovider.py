"""JSON for the API: times as ISO 8601 with their offset (``+00:00``), never HTTP dates; translated text as text."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider
from flask_babel import LazyString


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with ISO 8601 dates and times."""

    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, datetime | date | time):
            return o.isoformat()
        if isinstance(o, uuid.UUID | Decimal):
            return str(o)
        if isinstance(o, LazyString):  # a translated message, in the request's language
            return str(o)
        if isinstance(o, enum.Enum):
            return o.value
        return DefaultJSONProvider.default(o)
