"""The reminder worker: scheduled jobs, and the ``scheduler`` and ``reminders`` commands."""

from __future__ import annotations

import logging
import os
import signal

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from companion.blueprints.reminders.vapid import new_vapid_keys
from companion.extensions import db

log = logging.getLogger("companion.reminders")

# job id: (function name, seconds between runs)
SCHEDULE = {
    "reminders.plan": ("plan_job", 15 * 60),
    "reminders.dispatch": ("dispatch_job", 30),
    "medication.missed": ("missed_doses_job", 5 * 60),
    "mail.retry": ("mail_retry_job", 60),
}


def plan_job(app: Flask) -> None:
    """Plan the coming days' reminders for everyone."""
    from companion.blueprints.reminders.planner import plan

    with app.app_context():
        try:
            log.info("planned %s new reminders", plan())
        except OperationalError as error:  # the database restarting: the next run plans what this one did not
            log.warning("the database is unavailable, planning waits for the next run: %s", error.orig)
        finally:
            db.session.remove()


def dispatch_job(app: Flask) -> None:
    """Send every reminder now due."""
    from companion.blueprints.reminders.dispatch import dispatch

    with app.app_context():
        try:
            counts = dispatch(plan_first=False)
            if counts.sent or counts.skipped or counts.failed:
                log.info("%s", counts)
        except OperationalError as error:  # the database restarting: what this sweep did not record, the next one sends
            log.warning("the database is unavailable, sending waits for the next sweep: %s", error.orig)
        finally:
            db.session.remove()


def missed_doses_job(app: Flask) -> None:
    """Record as missed each dose whose window passed unmarked (once, however many workers run this)."""
    from companion.blueprints.medication.jobs import missed_doses

    missed_doses(app)


def mail_retry_job(app: Flask) -> None:
    """Send again the account e-mails (reset links, notices) the SMTP server did not take (companion/mail.py)."""
    from companion.blueprints.auth import mails  # noqa: F401  (registers the kinds)
    from companion.mail import retry_account_mail

    with app.app_context():
        try:
            sent, waiting = retry_account_mail()
            if sent or waiting:
                log.info("account e-mails: sent=%s waiting=%s", sent, waiting)
        except OperationalError as error:
            log.warning("the database is unavailable, account e-mails wait for the next run: %s", error.orig)
        finally:
            db.session.remove()


def build_scheduler(app: Flask):
    """A BlockingScheduler with both jobs: missed runs coalesce into one, a late run within its grace still runs."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                "misfire_grace_time": 30})
    for job_id, (name, seconds) in SCHEDULE.items():
        if job_id == "reminders.dispatch":
            seconds = app.config.get("REMINDER_SWEEP_SECONDS", seconds)
        scheduler.add_job(globals()[name], "interval", seconds=seconds, id=job_id, args=[app],
                          replace_existing=True, next_run_time=_now())
    return scheduler


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the reminder worker in the foreground until SIGTERM or SIGINT."""
    app = current_app._get_current_object()
    if app.testing:
        raise click.ClickException("The scheduler does not run under the test configuration.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)

    def stop(signum, frame):
        log.info("stopping the reminder worker")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Reminder worker {os.getpid()} running: planning every 15 minutes, "
               f"sending every {app.config.get('REMINDER_SWEEP_SECONDS', 30)} seconds.")
    scheduler.start()
    click.echo("Reminder worker stopped.")


reminders = AppGroup("reminders", help="Plan and send reminders.")


@reminders.command("dispatch")
@click.option("--no-plan", is_flag=True, help="Only send (as the scheduler's 30-second job does); plan with `reminders plan`.")
def dispatch_command(no_plan: bool):
    """One sweep: plan and send every reminder now due; prints sent=N skipped=N failed=N."""
    from companion.blueprints.reminders.dispatch import dispatch

    click.echo(str(dispatch(plan_first=not no_plan)))


@reminders.command("plan")
def plan_command():
    """Plan the coming days' reminders for everyone; prints how many rows were added."""
    from companion.blueprints.reminders.planner import plan

    click.echo(f"planned={plan()}")


@reminders.command("vapid-keys")
def vapid_keys_command():
    """Print a new VAPID key pair for Web Push, as VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY lines."""
    private, public = new_vapid_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}")
