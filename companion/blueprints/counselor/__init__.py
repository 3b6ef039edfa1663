"""The counselor's caseload, under each participant's consent."""

from flask import Blueprint

bp = Blueprint("counselor", __name__)

from companion.blueprints.counselor import routes  # noqa: E402,F401
