"""manage.py answer_bench --questions F: the configured provider's answers, as the chat gives them.

Each question goes through the chat's own path: knowledge.prompt.assemble (retrieval, prompt,
the offline extraction), the configured provider chain (offline by default) and the chat's
sources and grounding check (arcachat.chat.answer_facts); only the resident, metering and
SSE are left out. The database is migrated first if it needs it, and the demo town
(knowledge.demo) loaded into it if it is not there. It lives in arcachat, the top app,
because it drives the chat's pieces.

Input: JSON lines with at least "question" and optionally "id" (other fields are ignored).
Output, on standard output: one JSON line per question
{"id", "question", "answer", "sources", "confidence", "words"} where `answer` is the text the
resident reads without the offline "to read more" list (the sources are in `sources`, as in the
chat's `sources` event), `confidence` the extraction's (knowledge.extractive), `words` the
answer's word count; then one summary line. bench/answer_score.py scores it.
"""

import datetime as dt
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max

from arcachat.chat import answer_facts
from knowledge.demo import load_demo_town
from knowledge.models import Document
from knowledge.prompt import assemble
from knowledge.units import words_of
from providers.chain import stream_answer
from providers.offline import OfflineProvider, answer_part
from providers.registry import configured_chain


def read_questions(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: cannot read the questions ({error}).") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise CommandError(f"{path}:{number}: not a JSON line ({error.msg}).") from None
        if not isinstance(row, dict) or not str(row.get("question", "")).strip():
            raise CommandError(f'{path}:{number}: each line needs a "question".')
        kept = {"id": row.get("id", number), "question": str(row["question"])}
        try:
            kept["today"] = dt.date.fromisoformat(row["today"]) if row.get("today") else None
        except (TypeError, ValueError):
            raise CommandError(f'{path}:{number}: "today" must be a date, YYYY-MM-DD.') from None
        rows.append(kept)
    return rows


def migrate_if_needed(stderr) -> None:
    """A fresh database gets its tables first: the command is often the first thing run."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        stderr.write("answer_bench: applying the database migrations first.")
        call_command("migrate", verbosity=0)


async def collect(chat_request, chain) -> tuple[str, str]:
    """The whole answer of the chain, and the kind of provider that gave it."""
    stream = stream_answer(chat_request, chain)
    parts = [chunk async for chunk in stream]
    return "".join(parts), getattr(stream.provider, "kind", "")


class Command(BaseCommand):
    help = "Answer a JSON-lines file of questions with the configured provider, as the chat does."

    def add_arguments(self, parser):
        parser.add_argument("--questions", required=True, type=Path, help="JSON lines file")
        parser.add_argument(
            "--today",
            help="Date the questions are asked (YYYY-MM-DD); default: the newest document's "
            "publication date (for the demo town, when its current guides are in force). A "
            'question\'s own "today" overrides it (questions about "ce week-end").',
        )
        parser.add_argument("--language", default="fr")

    def handle(self, *args, **options):
        questions = read_questions(Path(options["questions"]))
        migrate_if_needed(self.stderr)
        load_demo_town()
        today = self.today(options["today"])
        chain = configured_chain()
        kinds, words, millis, extract_ms, not_covered = Counter(), [], [], [], 0
        for row in questions:
            started = time.perf_counter()
            asked_on = row["today"] or today
            chat_request = assemble(row["question"], [], asked_on, language=options["language"])
            before = time.perf_counter()
            extraction = chat_request.extract()  # kept by the request: the provider reuses it
            extract_ms.append((time.perf_counter() - before) * 1000)
            text, kind = async_to_sync(collect)(chat_request, chain)
            millis.append((time.perf_counter() - started) * 1000)
            offline = kind == OfflineProvider.kind
            answer = answer_part(text) if offline else text
            facts = answer_facts(chat_request, text, kind)
            kinds[kind or "none"] += 1
            words.append(words_of(answer))
            not_covered += offline and not extraction.covered
            line = {
                "id": row["id"],
                "question": row["question"],
                "answer": answer,
                "sources": facts["sources"],
                "confidence": extraction.confidence,
                "words": words[-1],
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        summary = {
            "summary": True,
            "questions": len(questions),
            "providers": dict(kinds),
            "today": today.isoformat(),
            "median_words": statistics.median(words) if words else 0,
            "not_covered": not_covered,
            "median_ms": round(statistics.median(millis), 1) if millis else 0,
            "median_extract_ms": round(statistics.median(extract_ms), 1) if extract_ms else 0,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def today(self, value: str | None) -> dt.date:
        if value:
            return dt.date.fromisoformat(value)
        ready = Document.objects.filter(status=Document.Status.READY)
        newest = ready.aggregate(newest=Max("published_on"))["newest"]
        return newest or dt.date.today()
