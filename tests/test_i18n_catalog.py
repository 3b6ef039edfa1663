"""The catalogs are whole: every string the code and templates hold has its translation in every language, none is
fuzzy, placeholders match, and the compiled catalogs are the ones the .po files give (so CI catches a new string
without a translation, and `make run` on a fresh checkout shows Spanish)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from companion.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "companion" / "translations"
OTHER_LANGUAGES = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def kept_in_english() -> set[str]:
    """The Brief Addiction Monitor's items and drug names: a validated instrument's own wording, which stays in
    English until a validated Spanish BAM is used (companion/blueprints/weekly/bam.py), rather than a
    translation of ours. Their msgids are in the catalog, untranslated on purpose."""
    from companion.blueprints.weekly import bam

    return {item.text._args[0] for item in bam.ITEMS} | {label._args[0] for label in bam.DRUG_LABELS.values()}


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids the sources hold now, extracted as `make translations` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "N_", "--no-location", "--omit-header", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as file:
        return {(message.context, message.id) for message in read_po(file) if message.id}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_extracted_string_is_in_the_catalog(extracted, language):
    have = {(message.context, message.id) for message in catalog(language) if message.id}
    missing = sorted(str(item) for item in extracted - have)
    assert not missing, f"Not in the {language} catalog (run `make translations`, then translate):\n" + "\n".join(missing)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    untranslated, fuzzy = [], []
    for message in catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) and message.id not in kept_in_english():
            untranslated.append(str(message.id))
        if message.fuzzy:
            fuzzy.append(str(message.id))
    assert not untranslated, f"Untranslated in {language}:\n" + "\n".join(untranslated)
    assert not fuzzy, f"Fuzzy in {language}:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_translations_keep_their_placeholders(language):
    wrong = []
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(text) for text in ids))
        for text in strings:
            if placeholders(text) - expected or (len(ids) == 1 and placeholders(text) != expected):
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_compiled_catalog_is_up_to_date(language):
    def key(message):
        return message.context, tuple(message.id) if isinstance(message.id, list | tuple) else message.id

    def text(message):
        return tuple(message.string) if isinstance(message.string, list | tuple) else message.string

    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = {key(m): text(m) for m in read_mo(mo) if m.id}
    source = {key(m): text(m) for m in catalog(language)
              if m.id and not m.fuzzy and all(text(m) if isinstance(text(m), tuple) else (text(m),))}
    stale = sorted(str(name) for name, words in source.items() if compiled.get(name) != words)
    assert not stale, "Run `make translations` (the .mo is older than the .po):\n" + "\n".join(stale[:20])
