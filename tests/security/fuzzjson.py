"""Hostile JSON bodies, drawn from a seeded generator: wrong types, sizes, nulls, deep nesting.

`bodies(seed, count)` yields (label, bytes): whole random values; the chat's own body with one
field (or one turn of its history, or its attachment) replaced by a random value; and raw
texts no JSON parser likes (cut short, invalid UTF-8, lone surrogates, nesting 100,000 deep,
numbers of 5,000 digits). Same seed, same bodies: a failure names its label and seed.
"""

from __future__ import annotations

import json
import random

VALID = {
    "message": "Quand ouvre la piscine ?",
    "language": "fr",
    "history": [{"role": "user", "content": "Bonjour"}, {"role": "assistant", "content": "Oui"}],
}
FIELDS = ("message", "language", "history", "attachment")
RAW = [
    b"",
    b"{",
    b'{"message": "x"',
    b"\xff\xfe\x00",
    b'{"message": "\xc3\x28"}',
    "\ufeff".encode() + json.dumps(VALID).encode(),
    b'{"message": "\\ud800 piscine"}',
    b'{"message": "piscine", "language": "\\udfff"}',
    b'{"message": "x", "history": [{"role": "user", "content": "\\ud83d"}]}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"message": "x", "history": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    b'{"message": ' + b"9" * 5000 + b"}",
    b'{"message": 1e999999}',
    b'{"message": NaN, "language": Infinity}',
    b'{"message": "x", "message": null}',
    b"null",
    b'"just a string"',
    b"12",
    b'{"message": "x", "attachment": {"kind": "file", "data": "data:application/pdf;base64,"}}',
    b'{"message": "x", "attachment": {"kind": "image", "data": "data:image/png;base64,===="}}',
    b'{"message": "x", "attachment": {"data": "data:image/jpeg;base64,' + b"A" * 4000 + b'"}}',
]


def value(rng: random.Random, depth: int = 0):
    """One random JSON value (a few levels deep at most)."""
    kinds = ["null", "bool", "int", "float", "str", "str", "list", "dict"]
    kind = rng.choice(kinds if depth < 3 else kinds[:6])
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([0, -1, 1, 2**31, -(2**63), 10**30, rng.randint(-1000, 1000)])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e-308, 3.14])
    if kind == "str":
        return text(rng)
    if kind == "list":
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {text(rng, short=True): value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def text(rng: random.Random, short: bool = False) -> str:
    choices = ["", " ", "\n\t ", "fr", "en-GB", "user", "assistant", "system", "<script>", "é" * 3]
    if not short:
        choices += ["x" * 2001, "a" * rng.randint(1, 300), "\u202e\u0000\ufffd", "🙂" * 50]
        choices += ["data:application/pdf;base64,JVBERi0=", "data:image/png;base64,AAAA"]
    return rng.choice(choices)


def mutated(rng: random.Random) -> dict:
    body = json.loads(json.dumps(VALID))
    target = rng.choice([*FIELDS, "turn", "turn", "attachment-field", "extra"])
    if target in FIELDS:
        body[target] = value(rng)
    elif target == "turn":
        turn = rng.choice(body["history"])
        turn[rng.choice(["role", "content", text(rng, short=True)])] = value(rng)
    elif target == "attachment-field":
        body["attachment"] = {"kind": value(rng), "data": value(rng)}
    else:
        body[text(rng, short=True) or "x"] = value(rng)
    return body


def bodies(seed: int, count: int):
    """(label, body bytes) pairs: RAW first, then random values and mutated bodies."""
    for index, raw in enumerate(RAW):
        yield f"raw-{index}", raw
    rng = random.Random(seed)
    for index in range(count):
        data = value(rng) if index % 4 == 0 else mutated(rng)
        yield f"seed-{seed}-{index}", json.dumps(data, ensure_ascii=rng.random() < 0.5).encode()
