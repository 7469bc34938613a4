"""A zero-latency OpenAI-compatible server for the load bench, in a process of its own.

Usage: .venv/bin/python bench/fake_provider.py [--chars 400] [--chunk-chars 8]
Prints its base URL (ending in /v1) on the first line, then serves until killed. Every answer
streams `--chars` characters of French in `--chunk-chars` pieces, then the usage.
"""

import argparse
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fakellm import FakeServer, Script  # noqa: E402

SENTENCE = "Le marché a lieu le samedi matin, place du Port, de 8 h à 13 h. "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=400)
    parser.add_argument("--chunk-chars", type=int, default=8)
    args = parser.parse_args()
    text = (SENTENCE * (args.chars // len(SENTENCE) + 1))[: args.chars]
    script = Script(text=text, chunk_chars=args.chunk_chars, input_tokens=900, output_tokens=110)
    server = FakeServer("openai", script).start()
    print(server.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
