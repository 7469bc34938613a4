"""Score `manage.py answer_bench` output against a question set with required facts.

    .venv/bin/python manage.py answer_bench --questions bench/answers_dev.jsonl > /tmp/a.jsonl
    .venv/bin/python bench/answer_score.py --questions bench/answers_dev.jsonl \
        --answers /tmp/a.jsonl

The question set (JSON lines): {"id", "question", "facts": [...]} for a town question (every
fact must be in the answer), {"id", "question", "off_topic": true} for a question the town's
documents do not cover. bench/answers_dev.jsonl is the dev set; bench/answers_check.jsonl a
second set of the same kind, written before the wider pool was tuned, to confirm choices;
bench/answers_days.jsonl questions on days (a regression set); bench/answers_probe.jsonl
(7 Dec) questions written from the demo's section headings on what dev and check did not
ask, then used to find what fails; bench/answers_probe2.jsonl written after those changes
(one later change was prompted by one of its misses), bench/answers_probe3.jsonl written
last and run once; bench/answers_probe4.jsonl and bench/answers_holdout.jsonl (7 Dec) written by
someone who had not seen the answerer's code, the first used to find failures, the second run
once on the final code; bench/answers_holdout2.jsonl (7 Dec, fifth session) by another such
writer, run once before any change of that session, then used to find failures;
bench/answers_holdout3.jsonl by a third such writer, run once later in that session;
bench/answers_holdout4.jsonl (sixth session) by a fourth, run once before any change;
bench/answers_holdout5.jsonl (seventh) and bench/answers_holdout6.jsonl (eighth) by a fifth
and a sixth, each run once after its session's first change, then used to find failures;
bench/answers_holdout7.jsonl (eighth) by a seventh, run once on that session's final code
(docs/benchmarks.md).
Measures, overall and on each half (town and off-topic questions alternate between halves A
and B in file order, so each subject is in both):
- facts: share of town questions whose answer holds every required fact. Facts and answers
  are compared normalised: case, accents, apostrophes, spaces inside numbers ("05 00 00 10 00",
  "1 843"), times ("9 h", "9h", "09:00", "9 h 30" / "9h30"), "euros" / "€";
- median_words: median word count of the answers (before the sources);
- marks: answers with a Markdown mark (**, __, `, #, > or - / * at a line's start, [text](url));
- cuts: answers with a cut sentence: an ellipsis, or a line that starts in lower case or does
  not end a sentence (a bullet "• " line may end without a stop, like a list item; a line
  ending in ":" opens what follows);
- off_topic: share of off-topic questions answered with the plain "not covered": no citation,
  no source, and the town hall's contact (--contact) in the answer.
Exit status 1 if a target is missed (--targets): facts >= 0.9, median <= 80 words, no mark, no
cut, every off-topic question "not covered".
"""

import argparse
import json
import re
import statistics
import sys
import unicodedata

CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
MARKS = re.compile(
    r"\*\*|__|`|^\s{0,3}#{1,6}\s|^\s{0,3}>\s?|^\s{0,3}[-*+]\s|\[[^\]\n]+\]\([^)\s]+\)",
    re.MULTILINE,
)
ENDS = (".", "!", "?", "»", ")", '"', "”", ":")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[’‘`´]", "'", text).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\beuros?\b", "€", text)
    text = re.sub(r"\b0?(\d{1,2}) ?: ?(\d{2})\b", r"\1h\2", text)  # 09:00 -> 9h00
    text = re.sub(r"\b0?(\d{1,2}) ?h ?(\d{2})\b", r"\1h\2", text)  # 9 h 30 -> 9h30
    text = re.sub(r"\b0?(\d{1,2}) ?h\b", r"\1h", text)  # 9 h -> 9h
    text = re.sub(r"\b(\d{1,2})h00\b", r"\1h", text)  # 9h00 -> 9h
    text = re.sub(r"(?<=\d) (?=\d)", "", text)  # 05 00 00 10 00 -> 0500001000
    text = re.sub(r"(?<=\d) ?€", "€", text)
    return " ".join(text.split())


def has_fact(answer: str, fact: str) -> bool:
    needle = normalise(fact)
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(answer)) is not None


def has_marks(answer: str) -> bool:
    return MARKS.search(answer) is not None


def has_cut(answer: str) -> bool:
    if "…" in answer or "..." in answer:
        return True
    for line in answer.splitlines():
        line = CITATION.sub("", line).strip()
        if not line:
            continue
        bullet = line.startswith("•")
        body = line.lstrip("• ").strip()
        if body[:1].islower() and not bullet:
            return True
        if not bullet and not body.endswith(ENDS):
            return True
    return False


def not_covered(row: dict, contact: str) -> bool:
    answer = row.get("answer", "")
    return not CITATION.search(answer) and not row.get("sources") and has_fact(answer, contact)


def halves(questions: list[dict]) -> dict[str, str]:
    """Half A or B of each question id: town and off-topic questions alternate, in order."""
    half, seen = {}, {True: 0, False: 0}
    for q in questions:
        kind = bool(q.get("off_topic"))
        half[str(q["id"])] = "AB"[seen[kind] % 2]
        seen[kind] += 1
    return half


def score(questions: list[dict], answers: dict, contact: str, ids=None) -> dict:
    chosen = [q for q in questions if ids is None or str(q["id"]) in ids]
    town = [q for q in chosen if not q.get("off_topic")]
    off = [q for q in chosen if q.get("off_topic")]
    rows = [answers.get(str(q["id"]), {}) for q in chosen]
    missed = [
        str(q["id"])
        for q in town
        if not all(has_fact(answers.get(str(q["id"]), {}).get("answer", ""), f) for f in q["facts"])
    ]
    answered_off = [q for q in off if not not_covered(answers.get(str(q["id"]), {}), contact)]
    words = [r.get("words", 0) for r in rows if r]
    return {
        "town": len(town),
        "facts": round(1 - len(missed) / len(town), 3) if town else None,
        "missed": missed,
        "median_words": statistics.median(words) if words else None,
        "marks": sum(has_marks(r.get("answer", "")) for r in rows),
        "cuts": sum(has_cut(r.get("answer", "")) for r in rows),
        "off_topic": len(off),
        "off_topic_not_covered": round(1 - len(answered_off) / len(off), 3) if off else None,
        "off_topic_answered": [str(q["id"]) for q in answered_off],
    }


def meets(result: dict) -> bool:
    return (
        (result["facts"] is None or result["facts"] >= 0.9)
        and (result["median_words"] or 0) <= 80
        and result["marks"] == 0
        and result["cuts"] == 0
        and result["off_topic_not_covered"] in (None, 1.0)
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", required=True)
    parser.add_argument("--answers", default="-", help="answer_bench output (default: stdin)")
    parser.add_argument("--contact", default="05 00 00 10 00", help="town hall's phone number")
    parser.add_argument("--targets", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    with open(args.questions, encoding="utf-8") as handle:
        questions = [json.loads(line) for line in handle if line.strip()]
    if args.answers == "-":
        rows = [json.loads(line) for line in sys.stdin if line.strip()]
    else:
        with open(args.answers, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    answers = {str(r["id"]): r for r in rows if not r.get("summary")}
    half = halves(questions)
    result = {"all": score(questions, answers, args.contact)}
    for name in "AB":
        ids = {i for i, h in half.items() if h == name}
        result[f"half {name}"] = score(questions, answers, args.contact, ids)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if not args.targets or meets(result["all"]) else 1


if __name__ == "__main__":
    sys.exit(main())
