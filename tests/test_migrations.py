"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from companion import create_app
from companion.config import TestConfig
from companion.extensions import db


def test_migrations_match_the_models(database_uri, tmp_path):
    if database_uri.startswith("sqlite"):
        uri = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    else:
        # A schema of its own, so the tables of the other tests stay as they are.
        engine = create_engine(database_uri)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_check"))
        engine.dispose()
        uri = database_uri + ("&" if "?" in database_uri else "?") + "options=-csearch_path%3Dmigration_check"
    app = create_app(TestConfig(uri))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
