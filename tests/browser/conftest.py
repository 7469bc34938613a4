"""Browser-test fixtures: the ASGI app under uvicorn, headless Debian chromium, a scripted LLM."""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in item.keywords and not os.path.exists(CHROMIUM):
            item.add_marker(pytest.mark.skip(reason="chromium is not installed (make test-deps)"))


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop on this thread; tests still use the ORM here."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(transactional_db):
    """The real ASGI app under uvicorn in a thread: answers stream as in production."""
    import uvicorn

    from arcachat.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """One headless chromium for the session, started after the test database exists."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, site):
    """Open fresh tabs (own storage) that record any dialog a script might open."""
    contexts = []

    def make(bypass_csp=False, **options):
        options = {"viewport": {"width": 1100, "height": 900}, "locale": "fr-FR", **options}
        context = chromium.new_context(bypass_csp=bypass_csp, **options)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        tab.dialogs = []
        tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        tab.site = site
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def fake_llm(transactional_db):
    from tests.chatkit import FakeLLM, use_fake_llm

    fake = FakeLLM()
    use_fake_llm(fake)
    yield fake
    fake.close()


@pytest.fixture
def town(transactional_db):
    from tests.chatkit import add_pdf_document

    return add_pdf_document(
        "Magazine municipal de mars",
        [
            "Le marché a lieu le samedi matin place du Port, de 8 h à 13 h.",
            "La mairie est ouverte du lundi au vendredi de 9 h à 17 h.",
        ],
    )


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page) -> list[dict]:
    """Serious or critical axe-core violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
