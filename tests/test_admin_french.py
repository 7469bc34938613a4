"""The Django admin in French: every app and model label of the index is French, the header
carries the town's name, and our models all have singular and plural names."""

import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import translation

OURS = ("accesscodes", "knowledge", "providers", "metering", "privacy", "core", "arcachat", "pii")


def index_labels(html: str) -> list[str]:
    """The app captions and model names of the admin index."""
    captions = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, flags=re.S)
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in captions + models]


def french_of(text: str) -> bool:
    """True when `text` is what the French catalogue gives for an English label we wrote."""
    with translation.override("fr"):
        return any(
            str(label) == text for config in apps.get_app_configs() for label in _labels(config)
        )


def _labels(config):
    yield config.verbose_name
    for model in config.get_models():
        yield model._meta.verbose_name_plural
        yield model._meta.verbose_name_plural.capitalize()


@pytest.mark.django_db
def test_it_shows_the_admin_index_in_french_only(client):
    root = get_user_model().objects.create_superuser("root", password="x" * 12)
    client.force_login(root)
    client.cookies["django_language"] = "fr"
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    labels = index_labels(html)
    assert len(labels) > 10
    english = []
    with translation.override("en"):
        for config in apps.get_app_configs():
            for label in _labels(config):
                english.append(str(label))
    with translation.override("fr"):
        for label in labels:
            assert french_of(label), f"not a French catalogue label: {label!r}"
            own = any(label == str(c.verbose_name) for c in apps.get_app_configs())
            if own or label in english:
                # a label that reads the same in both languages is fine (e.g. "Documents")
                assert label in _french_catalogue_values(), label
    assert "Administration de Django" not in html
    assert "Port-Lumière · administration" in html
    for broken in ("ACCESS CODES", "Chunks", "Prompt templates", "Code d'accèss", "PRIXS"):
        assert broken.lower() not in html.lower()


def _french_catalogue_values() -> set[str]:
    with translation.override("fr"):
        return {str(label) for config in apps.get_app_configs() for label in _labels(config)}


def test_it_names_every_model_of_our_apps():
    for label in OURS:
        config = apps.get_app_config(label)
        models = list(config.get_models())
        default = label.title()  # Django's name for an app that names itself nothing
        assert not models or str(config.verbose_name) != default, label
        for model in models:
            meta = model._meta
            assert meta.original_attrs.get("verbose_name"), model
            assert meta.original_attrs.get("verbose_name_plural"), model


def test_it_translates_every_label_the_admin_shows_into_french():
    """Models, fields and help texts of every model of ours registered in the admin."""
    missing = []
    for model in admin.site._registry:
        if model._meta.app_label in OURS:
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            names += [f.verbose_name for f in model._meta.fields if f.name != "id"]
            names += [f.help_text for f in model._meta.fields if f.help_text]
            for name in names:
                with translation.override("fr"):
                    french = str(name)
                with translation.override("en"):
                    english = str(name)
                if french == english and english.lower() not in SAME_IN_BOTH:
                    missing.append(f"{model.__name__}: {english}")
    assert missing == []


# Words that read the same in French and English, and the internal fields of models that
# no admin page shows (their Django default verbose names).
SAME_IN_BOTH = {
    "document",
    "documents",
    "position",
    "page",
    "passage",
    "passages",
    "code",
    "action",
    "administration",
    "réservation",
}
