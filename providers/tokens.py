"""Estimate how many LLM tokens a text costs, without any provider tokenizer."""

import math
import re

_PIECES = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """A conservative estimate for French/English text with BPE tokenizers.

    Takes the larger of two rules of thumb (about 4 characters per token, and 1.3 tokens
    per word or punctuation mark), so that budgets err on the side of reserving too much.
    """
    if not text:
        return 0
    by_chars = len(text) / 4
    by_pieces = len(_PIECES.findall(text)) * 1.3
    return max(1, math.ceil(max(by_chars, by_pieces)))
