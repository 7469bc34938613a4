"""Which server secrets a provider may use, and where a key may be sent.

An admin (not a superuser, not the server's operator) names the environment variable of a
provider's key and its base URL. Unchecked, that let an admin send any server secret
(SECRET_KEY, DATABASE_URL, the mail password…) as a Bearer token to an address of their own,
then read it there. The rules:
- a key variable is named like `MISTRAL_API_KEY` (`*_API_KEY`) and is never one of the
  variables the app's settings read (`settings.APP_ENVIRONMENT`);
- a key from the environment goes only to an address the code or the operator gave with it:
  the vendor's own API (the kind's default, or a preset's address for that variable, as
  Albert's for `ALBERT_API_KEY`), or the address in the companion variable `<NAME>_BASE_URL`
  (`VLLM_API_KEY` → `VLLM_BASE_URL`), a town's own server included;
- a key stored in the database is bound to the address it was entered for (models.py).
"""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

KEY_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*_API_KEY$")
KEY_SUFFIX = "_API_KEY"


def is_server_setting(name: str) -> bool:
    return name in settings.APP_ENVIRONMENT


def validate_key_env(name: str) -> None:
    """Field validator of `ProviderConfig.api_key_env` (any form of the model runs it)."""
    if not name:
        return
    if is_server_setting(name):
        raise ValidationError(
            _("%(name)s is one of the server's own settings: it can never be a provider's key."),
            code="server_setting",
            params={"name": name},
        )
    if not KEY_ENV_NAME.match(name):
        raise ValidationError(
            _(
                "Write the name of an environment variable ending in _API_KEY (capital "
                "letters, digits and _), e.g. MISTRAL_API_KEY: never the key itself."
            ),
            code="not_a_key_name",
        )


def companion_url_variable(name: str) -> str:
    """The variable where the operator gives the address a key variable's key may go to."""
    return name.removesuffix(KEY_SUFFIX) + "_BASE_URL"


def same_address(one: str, other: str) -> bool:
    return one.strip().rstrip("/") == other.strip().rstrip("/")


def preset_addresses(name: str) -> list[str]:
    """The addresses the code's presets give for key variable `name` (Albert's). Looked up by
    name when asked: providers.presets imports the models, which import this module."""
    choices = import_string("providers.presets.CHOICES")
    return [choice.base_url for choice in choices if choice.key_env == name and choice.base_url]


def env_key_refusal(name: str, base_url: str, default_url: str) -> str:
    """Why the key in variable `name` may not be sent to `base_url` ("" when it may)."""
    if is_server_setting(name):
        return f"{name} is a server setting, never sent to a provider"
    companion = companion_url_variable(name)
    allowed = [default_url, *preset_addresses(name), os.environ.get(companion, "")]
    if any(url and same_address(url, base_url) for url in allowed) or base_url == default_url:
        return ""
    return (
        f"the key in {name} is only sent to the vendor's own address or to the one in "
        f"{companion}: store the key in the provider settings, or set {companion}"
    )
