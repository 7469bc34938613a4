"""Residents' opinions in a real browser: 👍/👎 on an answer and a reason, stored without any
text, then seen by the comms team per day and per cited document."""

import json

import pytest
from django.core import serializers
from playwright.sync_api import expect

from tests.browser.chatpage import DESKTOP, SCREENS, answered, snap, wait_for
from tests.support.browser import ask, run_axe, sign_in, staff_sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS)
def test_it_takes_an_opinion_and_a_reason_on_an_answer(new_page, fake_llm, town, screen):
    from knowledge.models import Feedback

    page = new_page(**SCREENS[screen])
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi [1]."]
    ask(page, "Zorglub, quand a lieu le marché ?")
    answered(page)
    opinion = page.get_by_role("group", name="Cette réponse vous a-t-elle aidé ?")
    no = opinion.get_by_role("button", name="Non")
    no.click()
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(no).to_be_focused()  # the focus stays where the resident is
    reasons = page.get_by_role("group", name="Qu'est-ce qui n'allait pas ? (facultatif)")
    reasons.get_by_role("button", name="Plus à jour").click()
    expect(reasons.get_by_role("button", name="Plus à jour")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".feedback-thanks")).to_have_text("Merci pour votre avis.")
    snap(page, f"opinions-{screen}-reason")
    row = wait_for(lambda: Feedback.objects.filter(reason="outdated").first())
    assert row.rating == "down" and row.provider == "openai_compatible"
    assert list(row.documents.values_list("pk", flat=True)) == [town.pk]
    dumped = serializers.serialize("json", Feedback.objects.all())
    assert "Zorglub" not in dumped and "samedi" not in dumped
    # Changing one's mind changes the vote; it never adds one.
    opinion.get_by_role("button", name="Oui").click()
    expect(reasons).to_be_hidden()
    wait_for(lambda: Feedback.objects.filter(rating="up").exists())
    assert Feedback.objects.count() == 1
    page.reload()  # the tab remembers what was chosen
    expect(page.get_by_role("button", name="Oui")).to_have_attribute("aria-pressed", "true")


def test_it_shows_the_comms_team_how_answers_were_received(new_page, fake_llm, town, marius):
    resident = new_page(**DESKTOP)
    sign_in(resident)
    for count, answer in enumerate(("Le samedi [1].", "Le samedi matin [1]."), start=1):
        fake_llm.script.chunks = [answer]
        ask(resident, "Quand a lieu le marché ?")
        answered(resident, count)
    resident.get_by_role("button", name="Non").last.click()
    resident.get_by_role("button", name="Incomplète").click()
    resident.get_by_role("button", name="Oui").first.click()
    expect(resident.locator(".feedback-thanks").last).to_have_text("Merci pour votre avis.")
    expect(resident.locator(".feedback-thanks").first).to_have_text("Merci pour votre avis.")

    page = new_page(bypass_csp=True, **DESKTOP)  # CSP bypassed only to inject axe-core
    staff_sign_in(page, marius, "/comms/feedback/")
    expect(page.locator(".summary")).to_contain_text("1 avis sur 2")
    row = page.get_by_role("row", name="Magazine municipal de mars")
    expect(row).to_contain_text("50 %")
    snap(page, "opinions-desktop-comms-page")
    assert run_axe(page) == []
    assert json.dumps(page.content()).count("Quand a lieu") == 0
