"""Retrieval quality figures and reproducible cross-validation splits for the benchmarks.

A ranking is scored by the position of the right answer key (an SPF `fiche`) once the
ranked keys are collapsed to distinct keys in order. Questions are split into folds by a hash
of their answer key, so a key never sits in two folds and every run splits alike; random
halves (seeded) compare two rankers on many splits, the check used to keep a change only if
it helps on both halves of the questions (see docs/benchmarks.md).
"""

import hashlib
import random
from collections.abc import Sequence

RECALL_AT = (1, 5, 10)


def position(ranking: Sequence[str], key: str) -> int | None:
    """1-based rank of `key` among the distinct keys of `ranking`, None if absent."""
    distinct = list(dict.fromkeys(ranking))
    return distinct.index(key) + 1 if key in distinct else None


def metrics(positions: Sequence[int | None]) -> dict:
    """recall@1/5/10 and MRR of the positions of the right answers (None: not found)."""
    n = len(positions) or 1
    found = [p for p in positions if p is not None]
    result = {f"recall@{k}": round(sum(p <= k for p in found) / n, 3) for k in RECALL_AT}
    result["mrr"] = round(sum(1 / p for p in found) / n, 3)
    return result


def fold_of(key: str, folds: int) -> int:
    """The fold (0..folds-1) of an answer key: stable across runs, machines and orders."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % folds


def per_fold(positions: Sequence[int | None], keys: Sequence[str], folds: int) -> list[dict]:
    """The metrics of each fold, with its number of questions."""
    out = []
    for fold in range(folds):
        chosen = [p for p, key in zip(positions, keys, strict=True) if fold_of(key, folds) == fold]
        out.append({"fold": fold, "n": len(chosen), **metrics(chosen)})
    return out


def random_halves(new: Sequence, old: Sequence, repeats: int = 200, seed: int = 0) -> dict:
    """Compare two rankers' positions over `repeats` seeded random halves of the questions.

    Returns the share of splits where the new ranker's MRR (and recall@1) is strictly higher
    on BOTH halves, and the mean difference of MRR per half."""
    if len(new) != len(old):
        raise ValueError("the two runs did not answer the same questions")
    rng = random.Random(seed)
    order = list(range(len(new)))
    both_mrr = both_r1 = 0
    deltas = []
    for _ in range(repeats):
        rng.shuffle(order)
        halves = (order[: len(order) // 2], order[len(order) // 2 :])
        d_mrr, d_r1 = [], []
        for half in halves:
            a, b = metrics([new[i] for i in half]), metrics([old[i] for i in half])
            d_mrr.append(a["mrr"] - b["mrr"])
            d_r1.append(a["recall@1"] - b["recall@1"])
        both_mrr += all(d > 0 for d in d_mrr)
        both_r1 += all(d > 0 for d in d_r1)
        deltas.extend(d_mrr)
    return {
        "repeats": repeats,
        "mrr_up_on_both_halves": round(both_mrr / repeats, 3),
        "recall@1_up_on_both_halves": round(both_r1 / repeats, 3),
        "mean_mrr_delta": round(sum(deltas) / len(deltas), 4) + 0.0,  # no "-0.0"
    }
