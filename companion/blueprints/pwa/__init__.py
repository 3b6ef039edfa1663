"""The installable app: manifest, service worker, offline page and the PIN lock."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from companion.blueprints.pwa import routes  # noqa: E402,F401
