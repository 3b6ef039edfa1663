"""Privacy: consents, who saw what, export and account deletion."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from companion.blueprints.privacy import routes  # noqa: E402,F401
