"""The bare Flask "hello" app that bench/pages_load.py serves beside Companion, with the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The cheapest page Flask can answer: the yardstick for Companion's pages."""
    return "hello"
