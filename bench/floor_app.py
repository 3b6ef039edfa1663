"""The floor for a signed-in page: a minimal Flask app of the same shape as Companion's pages.

bench/pages_load.py serves it beside Companion and the bare "hello", with the same gunicorn settings and the
same PostgreSQL, so that the distance between a Companion page and this one is what Companion's own code costs.
It has what every Companion page must have and nothing else: Flask's signed cookie session, Flask-Login
loading the person with their server-side session in one ORM statement (a join of two indexed lookups),
``FLOOR_STATEMENTS`` statements in all (the rest small ORM reads of the person's rows, as a page's data),
inside the request's transaction, and a Jinja template that renders about ``FLOOR_BYTES`` of HTML.

    GET /start/<n>   signs person n in (creating them) and sets the cookie
    GET /            the page
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, render_template, session
from jinja2 import DictLoader
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STATEMENTS = int(os.environ.get("FLOOR_STATEMENTS", "4"))
BYTES = int(os.environ.get("FLOOR_BYTES", "6000"))


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()


class Person(UserMixin, Base):
    __tablename__ = "floor_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")


class SignIn(Base):
    __tablename__ = "floor_sign_in"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("floor_person.id"), index=True)


class Item(Base):
    __tablename__ = "floor_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("floor_person.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))


TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Today</title>
<link rel="stylesheet" href="{{ url_for('static', filename='app.css') }}"></head><body data-user="{{ current_user.id }}">
<h1>Good morning, {{ current_user.name }}</h1>
{% for rows in reads %}<section class="card"><h2>Part {{ loop.index }}</h2><ul>
{% for item in rows %}<li><a href="/items/{{ item.id }}">{{ item.title }}</a></li>{% endfor %}</ul></section>{% endfor %}
<p>{{ filler }}</p>
<nav>{% for label in ["Today", "Goals", "Log", "Sessions", "Support"] %}<a href="/{{ label|lower }}">{{ label }}</a>{% endfor %}</nav>
</body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32),
                      SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    app.jinja_loader = DictLoader({"page.html": TEMPLATE})  # compiled once and cached, as Companion's templates are
    db.init_app(app)
    login_manager.init_app(app)

    @login_manager.user_loader
    def load(user_id: str):
        token = session.get("sid")
        return db.session.scalar(select(Person).join(SignIn, SignIn.person_id == Person.id)
                                 .where(SignIn.id == token, Person.id == int(user_id)))

    @app.get("/start/<int:n>")
    def start(n: int):
        person = db.session.get(Person, n)
        if person is None:
            person = Person(id=n, name=f"Person {n}", email=f"p{n}@floor.example.org")
            db.session.add(person)
            db.session.flush()
            db.session.add_all([Item(person_id=n, title=f"Step {i} of a goal of person {n}") for i in range(5)])
        token = secrets.token_hex(16)
        db.session.add(SignIn(id=token, person_id=n))
        db.session.commit()
        session["sid"] = token
        login_user(person)
        return "signed in"

    @app.get("/")
    @login_required
    def page():
        reads = [list(db.session.scalars(select(Item).where(Item.person_id == current_user.id).order_by(Item.id)))
                 for _ in range(STATEMENTS - 1)]
        if "filler" not in FILLER:  # sized once, on the first page, so that every page renders once
            FILLER["filler"] = "x" * max(BYTES - len(render_template("page.html", reads=reads, filler="")), 0)
        return render_template("page.html", reads=reads, filler=FILLER["filler"])

    with app.app_context():
        if os.environ.get("FLOOR_CREATE", "1") == "1":
            db.create_all()
    return app


FILLER: dict[str, str] = {}
app = create_app()
