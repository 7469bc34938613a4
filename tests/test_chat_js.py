"""Runs the browser modules' pure-function tests (personal data, rendering, SSE) under node."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_it_passes_the_node_tests_of_the_chat_scripts():
    result = subprocess.run(
        ["node", "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_it_publishes_no_test_file_with_the_static_files():
    """collectstatic (and whitenoise's finders in debug) see only what browsers need."""
    from django.contrib.staticfiles import finders

    published = [path for finder in finders.get_finders() for path, _ in finder.list([])]
    assert "js/chat.js" in published
    assert not [path for path in published if "test" in path.lower()]
