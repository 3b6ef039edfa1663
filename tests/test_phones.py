"""Crisis lines: every link to one uses the scheme that line answers (calls tel:, texts sms: with the keyword).

Crisis Text Line takes texts only, so a ``tel:741741`` anywhere is a person pressing "call" on a bad night
and reaching nobody. The pages are read in both languages, signed out and as a participant whose plans hold
the lines, as the API hands them to the offline copy.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from companion import phones
from companion.blueprints.support import services
from companion.extensions import db

LINK = re.compile(r'<a\b[^>]*\bhref="((?:tel|sms):[^"]*)"[^>]*>(.*?)</a>', re.S)
KEYWORD = {"en": "HOME", "es": "AYUDA"}


def digits(href: str) -> str:
    return re.sub(r"\D", "", urlsplit(href).path)


def check_route(href: str, language: str) -> None:
    """A crisis line's link fits the line; anyone else's number is simply called."""
    scheme = href.split(":", 1)[0]
    number = digits(href)
    line = phones.line_for(number)
    if line is None:
        assert scheme == "tel", href
        return
    body = parse_qs(urlsplit(href.replace("?&", "?")).query).get("body")
    if line.slug == "crisis-text-line":
        assert scheme == "sms" and body == [KEYWORD[language]], href
    elif line.slug == "lifeline":
        assert scheme in ("tel", "sms"), href
        if scheme == "sms" and language == "es":
            assert body == ["AYUDA"], href
    else:  # 911, SAMHSA: calls
        assert scheme == "tel", href


def crisis_links(html: str) -> list[tuple[str, str]]:
    return [(unescape(href), re.sub(r"<[^>]+>", "", label).strip()) for href, label in LINK.findall(html)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_line_is_reached_the_way_it_answers(app, language):
    with app.test_request_context(f"/?lang={language}"):
        routes = {line.slug: line.routes_in(language) for line in phones.LINES}
    for line_routes in routes.values():
        for route in line_routes:
            assert route.href.startswith("tel:" if route.kind == phones.CALL else "sms:"), route
            check_route(route.href, language)
    texts = [route.href for route in routes["crisis-text-line"]]
    assert texts == [f"sms:741741?&body={KEYWORD[language]}"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_signed_out_pages_link_every_line_by_its_scheme(client, language):
    for path in ("/help", "/offline"):
        html = client.get(f"{path}?lang={language}").get_data(as_text=True)
        links = crisis_links(html)
        for href, _ in links:
            check_route(href, language)
        hrefs = {href for href, _ in links}
        assert {"tel:911", "tel:988", "tel:+18006624357", f"sms:741741?&body={KEYWORD[language]}"} <= hrefs, path
        assert ("sms:988?&body=AYUDA" if language == "es" else "sms:988") in hrefs
        assert "tel:741741" not in html


def test_in_spanish_988_says_press_2_and_text_ayuda(client):
    html = client.get("/help?lang=es").get_data(as_text=True)
    labels = dict(crisis_links(html))
    assert labels["tel:988"] == "Llama al 988 y marca 2 para español"
    assert labels["sms:988?&body=AYUDA"] == "Envía AYUDA por texto al 988"
    assert labels["sms:741741?&body=AYUDA"] == "Envía AYUDA por texto al 741741"
    assert labels["tel:911"] == "Llama al 911"


@pytest.fixture
def person(make_user, make_program):
    return make_user(email="alex@example.org", name="Alex", program=make_program())


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_participants_pages_and_copies_link_each_line_by_its_scheme(client, auth, person, language):
    person.language = language
    db.session.commit()
    auth.login("alex@example.org")
    pages = ["/support", "/support/safety-plan", "/support/safety-plan/download"]
    for path in pages:  # the prefilled plan: the lines as a new plan starts
        for href, _ in crisis_links(client.get(path).get_data(as_text=True)):
            check_route(href, language)
    # A plan saved before the lines had their routes: step 5 as it was prefilled then, and a line in step 4.
    services.save_safety_plan(person, {
        "professionals": [{"name": "Crisis Text Line: text HOME to 741741", "phone": "741741"},
                          {"name": "Emergency services", "phone": "911"}],
        "people": [{"name": "Mom", "phone": "555 0100"}, {"name": "Lifeline", "phone": "988"}]})
    services.save_aftercare_plan(person, {"sponsor_name": "Sam", "sponsor_phone": "741741",
                                          "contacts": [{"name": "SAMHSA", "phone": "1 (800) 662-4357"}]}, person)
    for path in [*pages, "/support/aftercare", "/support/aftercare/download"]:
        html = client.get(path).get_data(as_text=True)
        links = crisis_links(html)
        for href, _ in links:
            check_route(href, language)
        assert "tel:741741" not in html, path
    plan = crisis_links(client.get("/support/safety-plan").get_data(as_text=True))
    assert "tel:5550100" in {href for href, _ in plan}
    assert f"sms:741741?&body={KEYWORD[language]}" in {href for href, _ in plan}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_apis_safety_plan_says_how_to_reach_each_number(client, auth, person, language):
    person.language = language
    db.session.commit()
    token = auth.api_login("alex@example.org")
    body = client.get("/api/v1/safety-plan").get_json()
    numbers = {line["phone"] for line in body["professionals"]}
    assert numbers == {"988", "1-800-662-4357", "741741", "911"}
    assert set(body["links"]) == numbers
    for number, routes in body["links"].items():
        for route in routes:
            assert route["href"].startswith("tel:" if route["kind"] == "call" else "sms:")
            check_route(route["href"], language)
    assert [route["href"] for route in body["links"]["741741"]] == [f"sms:741741?&body={KEYWORD[language]}"]
    # What was read can be sent back as it is.
    response = client.put("/api/v1/safety-plan", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["links"] == body["links"]
