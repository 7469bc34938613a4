"""The assistant on a town site: allowed origins, the button's contrast, the embed routes'
own partitioned cookies and frame headers, the check embed.js makes, the staff page, and the
question asked inside the frame metered and rate-limited as on the main site.

The browser side (another origin, the panel, Esc, axe) is in tests/browser/test_embed.py.
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from embed import contrast, origins
from embed.forms import SnippetForm
from embed.middleware import COOKIE_PREFIX, policy
from embed.models import AllowedSite
from embed.views import snippet
from metering.models import UsageRecord
from tests.support.answers import parse_sse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]
SESSION = COOKIE_PREFIX + "arcachat_session"
TOWN_SITE = "https://www.port-lumiere.fr"


# --- Allowed origins --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.port-lumiere.fr", "https://www.port-lumiere.fr"),
        ("  HTTPS://WWW.Port-Lumiere.FR/  ", "https://www.port-lumiere.fr"),
        ("https://www.port-lumiere.fr:443", "https://www.port-lumiere.fr"),
        ("https://www.port-lumiere.fr:8443/", "https://www.port-lumiere.fr:8443"),
        ("https://mairie-évian.fr", "https://xn--mairie-vian-hbb.fr"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://mairie.localhost:8001", "http://mairie.localhost:8001"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("https://192.0.2.10", "https://192.0.2.10"),
    ],
)
def test_it_keeps_only_the_origin_of_an_address(typed, origin):
    assert origins.normalise(typed) == origin


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "adresse complète"),
        ("www.port-lumiere.fr", "adresse complète"),
        ("ftp://www.port-lumiere.fr", "adresse complète"),
        ("http://www.port-lumiere.fr", "https://"),  # plain http off this machine
        ("https://www.port-lumiere.fr/actualites/", "sans page"),
        ("https://www.port-lumiere.fr/?p=3", "sans page"),
        ("https://www.port-lumiere.fr/#chat", "sans page"),
        ("https://admin:secret@www.port-lumiere.fr", "nom d'utilisateur"),
        ("https://[2001:db8::1]", "IPv6"),
        ("https://*.port-lumiere.fr", "pas valide"),
        ("https://port lumiere.fr", "pas valide"),
        ("https://-mairie.fr", "pas valide"),
        ("https://www.port-lumiere.fr:99999", "port"),
        ("https://www.port-lumiere.fr;script-src", "pas valide"),
    ],
)
def test_it_refuses_what_is_not_an_https_site_origin(typed, why):
    with pytest.raises(ValidationError) as refused:
        origins.normalise(typed)
    assert why in " ".join(refused.value.messages)


def test_it_lists_exactly_the_allowed_sites_in_frame_ancestors(settings):
    assert policy(()).endswith("frame-ancestors 'none'")
    AllowedSite.objects.create(origin="https://www.port-lumiere.fr")
    AllowedSite.objects.create(origin="https://agenda.port-lumiere.fr:8443")
    header = policy(origins.allowed())
    assert header.count("frame-ancestors") == 1 and "frame-ancestors 'none'" not in header
    assert header.endswith(
        "frame-ancestors https://agenda.port-lumiere.fr:8443 https://www.port-lumiere.fr"
    )
    assert header.startswith("default-src 'self'")  # the rest of the site's policy is kept
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'"  # a town's own, without the directive
    assert policy(("https://a.fr",)) == "default-src 'self'; frame-ancestors https://a.fr"


# --- Contrast ---------------------------------------------------------------------------------


def test_it_measures_contrast_as_wcag_does():
    assert contrast.ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast.ratio("#0b4f8a", "#ffffff") == pytest.approx(8.40, abs=0.01)
    assert (
        contrast.ratio("#777777", "#ffffff")
        < contrast.MIN_RATIO
        < contrast.ratio("#767676", "#ffffff")
    )  # the classic boundary: #767676 is the palest grey that passes on white
    assert contrast.parse("#FFF") == "#ffffff" and contrast.parse("red") is None


@pytest.mark.parametrize("background", ["#ffee88", "#777777", "#0b4f8a", "#ff0000", "#00ff00"])
def test_it_always_finds_a_readable_text_colour(background):
    assert contrast.ratio(background, contrast.readable_text(background)) >= contrast.MIN_RATIO


def look(**changes) -> SnippetForm:
    data = {"position": "right", "label": "Poser une question", "background": "#0b4f8a"}
    return SnippetForm({**data, "color": "#ffffff", **changes})


def test_it_refuses_a_button_whose_text_is_hard_to_read(english):
    form = look(background="#ffee88")
    assert not form.is_valid()
    error = form.errors["color"][0]
    assert "contrast 1.1:1" in error and "black reaches 17.8:1" in error
    assert look(background="#ffee88", color="#000000").is_valid()
    assert not look(background="#777777").is_valid()  # 4.48:1 is not 4.5:1
    assert "4.4:1" in look(background="#777777").errors["color"][0]


def test_it_escapes_the_snippets_attributes():
    form = look(label='Une "question" <script>')
    assert form.is_valid()
    tag = snippet(form.cleaned_data, "https://chat.port-lumiere.fr")
    assert tag.startswith('<script src="https://chat.port-lumiere.fr/static/js/embed.js"')
    assert 'data-label="Une &quot;question&quot; &lt;script&gt;"' in tag
    assert tag.count("<script") == 1


# --- Cookies and frames -----------------------------------------------------------------------


def framed_client(resident) -> Client:
    client = Client()
    response = client.post("/embed/signin", {"code": resident.plain, "remember": "1"})
    assert response.status_code == 302 and response["Location"] == "/embed/"
    return client


def test_it_signs_in_inside_the_frame_with_partitioned_cookies_only(resident):
    client = Client()
    client.get("/embed/")
    csrf = client.cookies[COOKIE_PREFIX + "csrftoken"].output()
    response = client.post("/embed/signin", {"code": resident.plain, "remember": "1"})
    session = response.cookies[SESSION].output()
    for header in (csrf, session):
        for part in ("Partitioned", "Secure", "SameSite=None", "Path=/", "HttpOnly"):
            assert part in header, (part, header)
        assert "Domain" not in header  # host-only, as the __Host- prefix requires
    assert "Max-Age=3628800" in session  # "stay signed in" lasts as on the main site
    assert set(client.cookies) == {SESSION, COOKIE_PREFIX + "csrftoken"}


def test_it_keeps_the_main_sites_cookies_as_they_were(resident_client):
    session = resident_client.cookies["arcachat_session"].output()
    assert "SameSite=Lax" in session and "Partitioned" not in session
    assert not any(name.startswith(COOKIE_PREFIX) for name in resident_client.cookies)


def ask(client, path):
    body = json.dumps({"message": "Quand a lieu le marché ?", "history": [], "language": "fr"})
    return client.post(path, body, content_type="application/json")


def test_it_keeps_the_main_session_and_the_frames_apart(resident, resident_client):
    signin = resident_client.get("/embed/").content.decode()
    assert 'id="code"' in signin and 'action="/embed/signin"' in signin  # asked for a code
    assert '<a href="/" target="_blank"' in signin  # where a browser refuses the frame cookies
    assert ask(resident_client, "/embed/ask").status_code == 401
    framed = framed_client(resident)
    assert framed.get("/chat/")["Location"] == "/"  # and the frame's session stays there
    assert ask(framed, "/chat/ask").status_code == 401
    page = framed.get("/embed/").content.decode()
    assert 'id="ask-form"' in page and 'action="/embed/ask"' in page
    assert '"ask_url": "/embed/ask"' in page
    assert 'action="/embed/signout"' in page and 'action="/embed/i18n/setlang/"' in page


def test_it_keeps_every_address_of_the_chat_page_inside_the_frame(resident):
    """Each address the chat's script calls must be an embed route, or the frame's session
    is not sent with it: a resident route added to the chat needs its embed twin in
    arcachat/embedded.py (under the same name)."""
    page = framed_client(resident).get("/embed/")
    config = json.loads(
        page.content.decode()
        .split('id="chat-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    urls = {key: value for key, value in config.items() if key.endswith("_url")}
    assert urls and all(value.startswith("/embed/") for value in urls.values()), urls


def test_it_sends_the_frame_headers_on_embed_routes_only(client):
    AllowedSite.objects.create(origin=TOWN_SITE)
    inside = client.get("/embed/")
    assert inside["Content-Security-Policy"].endswith(f"frame-ancestors {TOWN_SITE}")
    assert not inside.has_header("X-Frame-Options")
    for path in ("/", "/privacy/", "/staff/login/"):
        outside = client.get(path)
        assert outside["Content-Security-Policy"].endswith("frame-ancestors 'none'")
        assert outside["X-Frame-Options"] == "DENY"


def test_it_signs_out_inside_the_frame_only(resident, resident_client):
    framed = framed_client(resident)
    response = framed.post("/embed/signout")
    assert response["Location"] == "/embed/"
    assert response.cookies[SESSION]["max-age"] == 0
    assert "Partitioned" in response.cookies[SESSION].output()  # deletes the partitioned one
    assert resident_client.get("/chat/").status_code == 200


# --- The question inside the frame: the same checks, limits and metering ----------------------


def test_it_meters_a_question_asked_inside_the_frame_like_any_other(resident, town):
    response = ask(framed_client(resident), "/embed/ask")
    assert response.status_code == 200
    events = dict(parse_sse(b"".join(response).decode()))
    assert events["sources"]["sources"] and "remaining_percent" in events["done"]
    assert UsageRecord.objects.filter(code=resident).count() == 1


@pytest.mark.security
def test_it_counts_the_frames_questions_in_the_same_rate_limit(
    resident, resident_client, town, settings
):
    settings.CHAT_RATE = "2/m"
    framed = framed_client(resident)
    assert ask(resident_client, "/chat/ask").status_code == 200
    assert ask(framed, "/embed/ask").status_code == 200
    third = ask(framed, "/embed/ask")
    assert third.status_code == 429 and third.json()["error"] == "rate_limited"
    assert ask(resident_client, "/chat/ask").status_code == 429


# --- The check embed.js makes, and the staff page ---------------------------------------------


def test_it_lets_only_an_allowed_site_read_the_buttons_words(client):
    AllowedSite.objects.create(origin=TOWN_SITE)
    allowed = client.get("/embed/button.json", HTTP_ORIGIN=TOWN_SITE)
    assert allowed.status_code == 200 and allowed["Access-Control-Allow-Origin"] == TOWN_SITE
    assert allowed.json()["label"] == "Poser une question"
    assert "Origin" in allowed["Vary"]
    for origin in ("https://evil.example", "http://www.port-lumiere.fr", "null", ""):
        refused = client.get("/embed/button.json", HTTP_ORIGIN=origin)
        assert refused.status_code == 403 and not refused.has_header("Access-Control-Allow-Origin")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lets_admins_change_the_list_and_comms_only_read_it(adele, marius, english):
    admin, comms = signed_in(adele), signed_in(marius)
    page = admin.post("/widget/sites/add", {"origin": "https://www.port-lumiere.fr/"}, follow=True)
    assert "https://www.port-lumiere.fr may now show the assistant." in page.content.decode()
    twice = admin.post("/widget/sites/add", {"origin": "HTTPS://www.port-lumiere.fr"})
    assert twice.status_code == 400 and "already in the list" in twice.content.decode()
    bad = admin.post("/widget/sites/add", {"origin": "http://www.port-lumiere.fr"})
    assert bad.status_code == 400 and "must use https://" in bad.content.decode()
    assert list(origins.allowed()) == ["https://www.port-lumiere.fr"]

    seen = comms.get("/widget/").content.decode()
    assert "https://www.port-lumiere.fr" in seen and "Only administrators" in seen
    assert "/widget/sites/add" not in seen
    assert comms.post("/widget/sites/add", {"origin": "https://a.fr"}).status_code == 403

    site = AllowedSite.objects.get()
    admin.post(f"/widget/sites/{site.pk}/remove")
    assert origins.allowed() == ()  # the frame is refused at once in this process


def test_it_gives_the_snippet_in_the_towns_language(marius, settings):
    settings.SITE_URL = "https://chat.port-lumiere.fr"
    page = signed_in(marius).get("/widget/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Code to copy" in page  # the page in English for this member of staff,
    assert "data-label=&quot;Poser une question&quot;" in page  # the button as the town speaks
    assert "https://chat.port-lumiere.fr/static/js/embed.js" in page
    assert "does not start with https://" not in page
    settings.SITE_URL = ""  # the address this page is served on, then
    page = signed_in(marius).get("/widget/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "http://testserver/static/js/embed.js" in page
    assert "(http://testserver) does not start with https://" in page
