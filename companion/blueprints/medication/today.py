"""The medication part of Today, read inside Today's one statement about the person (``access.about_me_statement``).

Today's doses need rows (the active medications, and the doses marked today), while that statement gives one row of
scalars; so each set is aggregated into a JSON array by the database (``json_group_array`` on SQLite, ``json_agg``
on PostgreSQL) and turned back into medications and doses here, without another round trip.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from companion.access import mine_columns
from companion.blueprints.medication.services import Slot, slots
from companion.models import User
from companion.models.medication import Dose, Medication

MEDICATION_FIELDS = ("id", "name", "dose", "times", "weekdays", "every_days", "start_date", "end_date",
                     "clinic_dosed", "missed_after_minutes", "created_at")
JSON_FIELDS = {"times", "weekdays"}
DOSE_FIELDS = ("medication_id", "scheduled_for", "status", "reason")


class json_rows(FunctionElement):
    """An aggregate of one JSON object per row, ``[]`` for none: keys are ``names``, values the clauses given."""

    type = String()
    inherit_cache = True
    name = "json_rows"

    def __init__(self, names: tuple[str, ...], *columns):
        self.names = names
        super().__init__(*columns)


def _pairs(element, compiler, kw, wrap_json):
    parts = []
    for name, column in zip(element.names, element.clauses.clauses):
        value = compiler.process(column, **kw)
        parts.append(f"'{name}', {wrap_json(name, value)}")
    return ", ".join(parts)


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    # A JSON column is text in SQLite: json() keeps it an array inside the object rather than a string.
    pairs = _pairs(element, compiler, kw, lambda name, value: f"json({value})" if name in JSON_FIELDS else value)
    return f"json_group_array(json_object({pairs}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    pairs = _pairs(element, compiler, kw, lambda name, value: value)
    return f"coalesce(json_agg(json_build_object({pairs}))::text, '[]')"


def today_columns(user, day_start, day_end) -> dict:
    """The active medications and the doses marked between ``day_start`` and ``day_end``, as two scalar subqueries."""
    medications = mine_columns(user, Medication, json_rows(MEDICATION_FIELDS, *[getattr(Medication, f) for f in MEDICATION_FIELDS])) \
        .where(Medication.active.is_(True))
    doses = mine_columns(user, Dose, json_rows(DOSE_FIELDS, *[getattr(Dose, f) for f in DOSE_FIELDS])) \
        .where(Dose.scheduled_for >= day_start, Dose.scheduled_for < day_end)
    return {"medications": medications.scalar_subquery(), "doses": doses.scalar_subquery()}


def _moment(value) -> datetime:
    from datetime import UTC

    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _loaded(raw) -> list[dict]:
    if raw is None:
        return []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def today_from(user: User, medications_json, doses_json, day_start: datetime, day_end: datetime,
               now: datetime) -> list[Slot]:
    """Today's slots from what the statement read: the medications and doses rebuilt (not attached to the session)."""
    medications = []
    for row in sorted(_loaded(medications_json), key=lambda r: (r["name"], r["id"])):
        fields = {k: row[k] for k in MEDICATION_FIELDS}
        for key in JSON_FIELDS:
            if isinstance(fields[key], str):
                fields[key] = json.loads(fields[key])
        fields["start_date"] = date.fromisoformat(fields["start_date"][:10])
        fields["end_date"] = date.fromisoformat(fields["end_date"][:10]) if fields["end_date"] else None
        fields["created_at"] = _moment(fields["created_at"])
        fields["clinic_dosed"] = bool(fields["clinic_dosed"])
        medications.append(Medication(active=True, user_id=user.id, **fields))
    doses = [Dose(medication_id=row["medication_id"], scheduled_for=_moment(row["scheduled_for"]), status=row["status"],
                  reason=row["reason"] or "") for row in _loaded(doses_json)]
    return slots(medications, doses, user.timezone, day_start, day_end, now)
