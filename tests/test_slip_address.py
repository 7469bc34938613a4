"""Slips print the address the desk is served on, unless SITE_URL says another; the desk
warns when the two differ."""

import pytest

from accesscodes import slips

pytestmark = pytest.mark.django_db


def issue_one(client, **headers):
    page = client.get("/desk/", **headers).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post("/desk/issue", {"count": 1, "token": token}, **headers)
    return response.content.decode()


def test_it_prints_the_desks_own_address_without_site_url(client, corinne, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["mairie.local"]
    client.force_login(corinne)
    desk = client.get("/desk/", HTTP_HOST="mairie.local:8080").content.decode()
    assert "<strong>mairie.local:8080</strong>" in desk
    assert "ce guichet est ouvert" not in desk
    slip = issue_one(client, HTTP_HOST="mairie.local:8080")
    assert 'class="slip-address">mairie.local:8080<' in slip


def test_it_uses_site_url_when_set_and_warns_when_the_desk_is_elsewhere(client, corinne, settings):
    settings.SITE_URL = "https://chat.port-lumiere.fr"
    client.force_login(corinne)
    desk = client.get("/desk/").content.decode()
    assert "<strong>chat.port-lumiere.fr</strong>" in desk
    assert "http://testserver" in desk  # where this desk is open
    assert slips.signin_url("X") == "https://chat.port-lumiere.fr/#code=X"


def test_it_does_not_warn_when_site_url_is_the_desks_address(client, corinne, settings):
    settings.SITE_URL = "http://testserver"
    client.force_login(corinne)
    assert "SITE_URL" not in client.get("/desk/").content.decode()
