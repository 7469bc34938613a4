"""The cost of a question on the demo town: input tokens, the stable prefix, € at list prices.

Run by bench/chat_load.py (or alone: .venv/bin/python bench/question_cost.py). The demo town
is loaded into an isolated SQLite database; each question of the bench is assembled as the
chat does (knowledge.prompt.assemble), first alone and then after two turns of history with
answers of `--answer-tokens`. Token counts are our estimate (providers.tokens), which errs
high: vendors' own counts are what the metering's calibration learns (metering.calibration).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.liveapp import IsolatedDatabase  # noqa: E402

# The questions of the load bench (bench/chat_load.py), about the demo town.
QUESTIONS = [
    "Quand a lieu le marché ?",
    "Quels sont les horaires de la mairie ?",
    "Quand passe la collecte des déchets verts ?",
    "Comment obtenir une carte d'identité ?",
    "Que faire ce week-end ?",
    "La médiathèque est-elle ouverte le dimanche ?",
]

# List prices in US dollars per million tokens (input, cached input, output): OpenAI's pricing
# page (platform.openai.com/docs/pricing) as quoted by several pages dated April-June 2026;
# not checked against the page itself from this machine (no network). GPT-4o caches a prompt
# prefix only from 1,024 tokens, in steps of 128.
PRICES_USD = {"gpt-4o": (2.50, 1.25, 10.00), "gpt-4o-mini": (0.15, 0.075, 0.60)}
CACHE_FROM, CACHE_STEP = 1024, 128
COST_GOAL_CENTS = 0.7  # issue 19: euro cents per question

COST = """
import json
from django.utils import timezone
from knowledge.demo import load_demo_town
from knowledge.prompt import assemble
from providers.base import Message
from providers.tokens import estimate_tokens
load_demo_town()
questions = {questions!r}
answer = {answer!r}
rows = []
for n, question in enumerate(questions):
    earlier = [Message("user", questions[n - 1]), Message("assistant", answer)]
    for history in ([], earlier * 2):  # a first question, and one after two turns
        request = assemble(question, history, timezone.localdate())
        prefix = estimate_tokens(request.system[: request.cacheable_prefix_chars])
        rows.append([request.input_tokens_estimate(), prefix])
print(json.dumps(rows))
"""


def question_cost(questions: list[str], answer_tokens: int, usd_per_eur: float) -> dict:
    """Input tokens of the demo town's questions (a first question, and one after two turns
    of history), the stable prefix's share, and € per 1,000 questions at list prices."""
    sentence = "Le marché a lieu le samedi matin, place du Port, de 8 h à 13 h. "
    answer = sentence * max(1, round(answer_tokens / 23))  # about 23 tokens each
    with IsolatedDatabase() as db:
        shell = db.shell(COST.format(questions=questions, answer=answer))
    rows = json.loads(shell.strip().splitlines()[-1])
    inputs = statistics.median(total for total, _prefix in rows)
    prefix = statistics.median(prefix for _total, prefix in rows)
    cached = 0 if prefix < CACHE_FROM else prefix - prefix % CACHE_STEP
    euros = {}
    for model, (price_in, price_cached, price_out) in PRICES_USD.items():
        usd = (inputs - cached) * price_in + cached * price_cached + answer_tokens * price_out
        euros[model] = round(usd / usd_per_eur / 1000, 3)  # per 1,000 questions
    return {
        "median_input_tokens": inputs,
        "median_first_question": statistics.median(total for total, _p in rows[0::2]),
        "median_after_two_turns": statistics.median(total for total, _p in rows[1::2]),
        "median_stable_prefix_tokens": prefix,
        "stable_prefix_share": round(prefix / inputs, 3),
        "cached_at_openai_tokens": cached,
        "answer_tokens": answer_tokens,
        "usd_per_eur": usd_per_eur,
        "eur_per_1000_questions": euros,
        "cents_per_question": {m: round(e / 10, 3) for m, e in euros.items()},
        "goal_cents": COST_GOAL_CENTS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer-tokens", type=int, default=200)
    parser.add_argument("--usd-per-eur", type=float, default=1.16, help="the day's rate")
    args = parser.parse_args()
    print(json.dumps(question_cost(QUESTIONS, args.answer_tokens, args.usd_per_eur)))


if __name__ == "__main__":
    main()
