"""Today and the crisis help page."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from companion.blueprints.main import routes  # noqa: E402,F401
