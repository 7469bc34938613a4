"""How much input to hold for a question: our estimate times what each vendor's counts taught.

Our estimate of a prompt's tokens (`ChatRequest.input_tokens_estimate()`) is the same for
every vendor; each vendor's tokenizer counts differently (and may add its own framing). At
each settlement with the vendor's exact count, the ratio count / estimate goes into one of
METER_CALIBRATION_WINDOW slots of that provider and model (`metering.models.InputRatio`),
overwritten in turn (one upsert, sent with the settlement's other statements). A reservation
then holds the estimate times:
- before the provider's first count: METER_INPUT_MARGIN (2 by default: our estimate already
  errs high, and no vendor we know counts twice as much);
- with fewer than METER_CALIBRATION_ANSWERS ratios: the highest one seen (a vendor counting
  more than we estimate is caught at its first answer);
- then: the METER_INPUT_QUANTILE quantile of the ratios kept (the recent answers), so the
  reservation follows the vendor down as well as up.
A vendor that reports no count is charged our estimate: its ratio is 1.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.conf import settings

from .models import InputRatio

TABLE = InputRatio._meta.db_table


def ratio_of(ratios: list[float]) -> float:
    """The factor to apply to our estimate, from one provider's recent ratios."""
    if not ratios:
        return settings.METER_INPUT_MARGIN
    if len(ratios) < settings.METER_CALIBRATION_ANSWERS:
        return max(ratios)
    ordered = sorted(ratios)
    rank = math.ceil(settings.METER_INPUT_QUANTILE * len(ordered)) - 1
    return ordered[min(len(ordered) - 1, max(0, rank))]


def read_sql(providers: list[str]) -> tuple[str, list]:
    """The query of the ratios of these providers (rows: provider, model, ratio)."""
    marks = ", ".join(["%s"] * len(providers))
    return f"SELECT provider, model, ratio FROM {TABLE} WHERE provider IN ({marks})", providers  # noqa: S608


def factors(rows) -> dict[tuple[str, str], float]:
    """(provider, model) -> factor, from the rows of `read_sql`."""
    found: dict[tuple[str, str], list[float]] = defaultdict(list)
    for provider, model, ratio in rows:
        found[(provider, model)].append(ratio)
    return {key: ratio_of(ratios) for key, ratios in found.items()}


def factor_for(found: dict, provider) -> float:
    key = (getattr(provider, "name", "")[:80], (getattr(provider, "model", "") or "")[:120])
    return found.get(key, settings.METER_INPUT_MARGIN)


def upsert_sql(provider, slot: int, ratio: float, now) -> tuple[str, list]:
    """The statement that keeps one new ratio in its slot (replacing the oldest there)."""
    name = getattr(provider, "name", "")[:80]
    model = (getattr(provider, "model", "") or "")[:120]
    slot = slot % settings.METER_CALIBRATION_WINDOW
    return (
        f"INSERT INTO {TABLE} (provider, model, slot, ratio, at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (provider, model, slot) "
        "DO UPDATE SET ratio = excluded.ratio, at = excluded.at",
        [name, model, slot, ratio, now],
    )
