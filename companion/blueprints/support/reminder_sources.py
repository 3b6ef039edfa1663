"""Saved meetings with "remind me" on, as a source of reminders at the person's lead times."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from flask_babel import lazy_gettext as _l

from companion.blueprints.reminders.sources import Planned, reminder_source
from companion.blueprints.support.services import reminder_occurrences
from companion.extensions import db
from companion.models import SavedMeeting


def _still_saved(row) -> bool:
    saved = db.session.get(SavedMeeting, int(row.source_id))
    return saved is not None and saved.remind


@reminder_source("meeting", still_wanted=_still_saved)
def saved_meetings(start: datetime, end: datetime, user_ids: Collection[int] | None) -> Iterator[Planned]:
    """Each time a saved meeting with its reminder on is held between ``start`` and ``end``."""
    for occurrence in reminder_occurrences(start, end):
        if user_ids is None or occurrence.user_id in user_ids:
            yield Planned(user_id=occurrence.user_id, source_id=str(occurrence.saved_meeting_id), at=occurrence.starts_at,
                          title=_l("Meeting: %(name)s", name=occurrence.name), url=f"/support/meetings/{occurrence.meeting_id}")
