"""What the scripts and the service worker say, in the page's language.

A script looks its English words up in the JSON block the page carries (``<script type="application/json"
id="script-text">``, data, so the CSP lets it be); the service worker, which has no page, is given every
language's words with its shell and picks the phone's. English is the key, and what is shown when a word has no
translation, so an English page carries no block at all. ``{name}`` marks a value the script fills in.
"""

from __future__ import annotations

from flask_babel import force_locale, lazy_gettext as _l

from companion.i18n import DEFAULT_LANGUAGE, LANGUAGES

SCRIPT_TEXT = [
    # The offline queue (offline.js, queue.js)
    _l("They will be sent after you sign in again."), _l("They will be sent when you're back online."), _l("Sending…"),
    _l("1 entry is waiting to send."), _l("{n} entries are waiting to send."), _l("{label}: waiting to send"),
    _l("{label} could not be saved: {reason}"), _l("Dismiss"),
    _l("Please sign in when you're back online to save this."),
    _l("Saved on this phone. It will be sent when you're back online."),
    _l("1 entry has not been sent yet. Signing out deletes it from this phone. Wait until you're back online to keep it."),
    _l("{n} entries have not been sent yet. Signing out deletes them from this phone. Wait until you're back online to keep them."),
    _l("Sign out anyway"), _l("Call {phone}"),
    _l("Follow-up care"), _l("Meetings"), _l("Sponsor or mentor"), _l("People to call"), _l("Next steps"),
    _l("A craving, {intensity} out of 10"), _l("Choose how strong the craving is, from 0 to 10."), _l("A trigger"),
    _l("A coping skill you used"), _l("Choose your mood."), _l("Choose how strong cravings were today, from 0 to 10."),
    _l("Choose whether you used today."), _l("Your check-in for {day}"), _l("A step you ticked off"),
    _l("A step you unticked"), _l("The server answered {status}."),
    # Saving in place (enhance.js)
    _l("Saved."),
    # Notifications on this phone (reminders.js)
    _l("We could not turn on notifications. E-mail and the inbox still work."),
    _l("Notifications are on for this phone."), _l("Notifications are not turned on for this phone yet."),
    _l("Notifications are blocked for Companion in this browser's settings."),
    _l("Notifications are off for this phone."),
    # The service worker (sw.js)
    _l("You're offline. Companion will open again when your phone is back online."),
    _l("Companion: you have a reminder"),
]


def _english(text) -> str:
    return text._args[0]  # a lazy string's own msgid


def script_text() -> dict[str, str]:
    """English words -> this request's words, for those that differ (empty in English)."""
    return {_english(text): str(text) for text in SCRIPT_TEXT if str(text) != _english(text)}


def every_language() -> dict[str, dict[str, str]]:
    """The words of every other language, for the service worker."""
    found = {}
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            with force_locale(language):
                found[language] = script_text()
    return found
