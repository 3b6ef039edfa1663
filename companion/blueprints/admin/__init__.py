"""The program admin's pages: counselors and invite codes, no clinical data."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from companion.blueprints.admin import routes  # noqa: E402,F401
