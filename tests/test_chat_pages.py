"""The landing and chat pages: content, access, strict CSP, French first, English available."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_it_explains_the_service_and_how_to_get_a_code(client):
    page = client.get("/").content.decode()
    assert "Posez vos questions" in page
    assert "maison de quartier" in page
    assert "pas toujours fiables" in page
    assert 'name="code"' in page or "accesscodes" in page  # the sign-in form partial


def test_it_serves_the_landing_page_in_english_too(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "How to get an access code" in page and 'lang="en"' in page


@pytest.mark.security
def test_it_sends_visitors_without_a_code_back_to_the_landing_page(client):
    response = client.get("/chat/", follow=True)
    assert response.redirect_chain[0][0].startswith("/")
    assert response.redirect_chain[-1][0].split("?")[0] == "/"
    assert list(response.context["messages"])


def test_it_offers_the_signed_in_resident_the_chat_page(resident_client):
    response = resident_client.get("/chat/")
    assert response.status_code == 200
    page = response.content.decode()
    for needle in ('id="question"', 'id="new-conversation"', 'aria-live="polite"', 'id="notice"'):
        assert needle in page
    config = json.loads(re.search(r'id="chat-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert config["ask_url"] == "/chat/ask"
    assert config["strings"]["pii_kinds"]["phone"] == "un numéro de téléphone"


def test_it_links_the_landing_page_to_the_chat_once_signed_in(resident_client):
    assert 'href="/chat/"' in resident_client.get("/").content.decode()


def test_it_offers_attachments_only_when_the_provider_sees_images(resident_client):
    from providers.models import ProviderConfig

    assert 'id="attachment"' not in resident_client.get("/chat/").content.decode()
    ProviderConfig.objects.create(
        name="Vision",
        kind="openai_compatible",
        model="m",
        base_url="http://127.0.0.1:9/v1",
        supports_images=True,
        order=1,
    )
    assert 'id="attachment"' in resident_client.get("/chat/").content.decode()


@pytest.mark.security
@pytest.mark.parametrize("url", ["/", "/chat/"])
def test_it_has_no_inline_script_or_style_under_the_strict_csp(resident_client, url):
    response = resident_client.get(url)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in page and "<style" not in page
    assert " on" not in " ".join(re.findall(r"<[a-z]+\s[^>]*\bon[a-z]+=", page))
    assert "http://" not in " ".join(re.findall(r'(?:src|href)="([^"]+)"', page))


def test_it_keeps_a_question_posted_before_the_page_script_was_ready(resident_client):
    from metering.models import Reservation, UsageRecord

    # A slow phone: the resident pressed Send before chat.js took over the form.
    response = resident_client.post("/chat/ask", {"message": "Quand a lieu le marché ?"})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<textarea id="question"[^>]*>Quand a lieu le marché \?</textarea>', page)
    assert "pas fini de se charger" in page
    assert not Reservation.objects.exists() and not UsageRecord.objects.exists()  # not asked


def test_it_sends_a_plain_form_post_without_a_code_back_to_the_landing_page(client):
    response = client.post("/chat/ask", {"message": "Bonjour"})
    assert response.status_code == 302 and response.url.split("?")[0] == "/"


def test_it_answers_an_unknown_address_with_a_plain_french_page(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Cette page n’existe pas" in page or "Cette page n'existe pas" in page
    assert 'lang="fr"' in page and 'href="/"' in page


def test_it_keeps_a_resident_informed_when_a_form_token_went_stale(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/signin", {"code": resident.plain})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Cette page n'était plus à jour" in page and "rechargez la page" in page
    assert "CSRF" not in page  # no technical page


def test_it_shows_a_plain_page_on_a_server_error(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "momentanément indisponible" in response.content.decode()


def test_it_lets_the_chat_page_alone_use_the_microphone_for_dictation(resident_client, client):
    chat = resident_client.get("/chat/")
    assert "microphone=(self)" in chat["Permissions-Policy"]
    assert "camera=()" in chat["Permissions-Policy"]
    assert "microphone=()" in client.get("/")["Permissions-Policy"]


def test_it_lets_the_sign_in_form_alone_use_the_camera_for_the_slip_s_qr_code(client):
    for page in (client.get("/"), client.post("/signin", {"code": "NOPE"})):
        assert "camera=(self)" in page["Permissions-Policy"]
        assert 'id="scan-code"' in page.content.decode()
    assert "camera=()" in client.get("/privacy/")["Permissions-Policy"]


def test_it_gives_the_chat_script_its_endpoints_and_every_kind_of_personal_data(resident_client):
    from pii.labels import KINDS

    page = resident_client.get("/chat/").content.decode()
    config = json.loads(re.search(r'id="chat-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert (config["check_url"], config["feedback_url"]) == ("/chat/check", "/chat/feedback")
    strings = config["strings"]
    assert list(strings["pii_kinds"]) == list(KINDS) == list(strings["pii_masks"])
    assert strings["pii_masks"]["person"] == "[nom masqué]"
    assert strings["reasons"] == {
        "wrong": "Fausse",
        "outdated": "Plus à jour",
        "incomplete": "Incomplète",
        "unclear": "Difficile à comprendre",
    }
