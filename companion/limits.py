"""How long each kind of text people write may be, defined once: forms, API schemas and services import these.

The database's column widths (``companion/models/``) hold at least as much; a migration goes with any change.
"""

GOAL_TITLE = 200  # a goal's title, and each of its steps'
GOAL_WHY = 2000
SUGGESTED_STEPS = 5000  # a counselor's suggested first steps, one per line
ENCOURAGEMENT = 1000
JOURNAL_NOTE = 2000  # a log entry's or a check-in's note, and a custom skill's steps
EMOTION = 60
SKILL_NAME = 80
SKILL_PURPOSE = 200
GROUP_NAME = 200
APPOINTMENT_TITLE = 200
PLACE = 200  # where a group or an appointment meets
REPEAT_RULE = 500
VIDEO_URL = 500
CONSENT_PURPOSE = 500
SIGNATURE = 200
MEDICATION_NAME = 100
DOSE = 100
DOSE_REASON = 500
USER_NAME = 100
CONTACT_NAME = 200  # a person in a safety or aftercare plan
PHONE = 40
