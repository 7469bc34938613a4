"""The admins' fallback order: make a provider active, move it, or set the whole order.

The chain (providers.registry) runs the enabled providers by `order`; these functions only
renumber (10, 20, 30…) so that the order shown is the order used.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Kind, ProviderConfig

STEP = 10


def _renumber(configs: list[ProviderConfig]) -> None:
    for position, config in enumerate(configs, start=1):
        if config.order != position * STEP:
            config.order = position * STEP
            config.save(update_fields=["order", "updated_at"])


def ordered() -> list[ProviderConfig]:
    return list(ProviderConfig.objects.order_by("order", "id"))


@transaction.atomic
def make_active(chosen: ProviderConfig) -> None:
    """Enable `chosen` and put it first; the others keep their order behind it."""
    chosen.enabled = True
    chosen.save(update_fields=["enabled", "updated_at"])
    _renumber([chosen, *(c for c in ordered() if c.pk != chosen.pk)])


@transaction.atomic
def move(chosen: ProviderConfig, delta: int) -> None:
    """Move `chosen` up (-1) or down (+1) one place."""
    configs = ordered()
    index = next(i for i, c in enumerate(configs) if c.pk == chosen.pk)
    target = max(0, min(len(configs) - 1, index + delta))
    configs.insert(target, configs.pop(index))
    _renumber(configs)


@transaction.atomic
def set_order(ids: list[int]) -> None:
    """The order dragged on the page: `ids` first in that order, any other after them."""
    configs = {c.pk: c for c in ordered()}
    chosen = [configs.pop(pk) for pk in ids if pk in configs]
    _renumber([*chosen, *configs.values()])


def builtin_offline() -> ProviderConfig:
    """A row for the built-in offline provider, so that it can be made active or moved."""
    found = ProviderConfig.objects.filter(kind=Kind.OFFLINE).order_by("order", "id").first()
    if found is not None:
        return found
    last = ordered()[-1:]
    return ProviderConfig.objects.create(
        name=_("Offline (town documents)"),
        kind=Kind.OFFLINE,
        order=(last[0].order + STEP) if last else STEP,
    )
