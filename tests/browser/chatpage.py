"""Steps shared by the chat page's browser tests: the two screens, a Markdown town document,
waiting for the server, and stand-ins for the browser's speech features."""

import time

from playwright.sync_api import expect

from tests.support.browser import answers
from tests.support.documents import add_document

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# A phone as Chromium emulates it: touch screen, coarse pointer, 390 x 844 CSS pixels.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}

WASTE = """---
title: Collecte des déchets
kind: faq
published: 2026-09-01
---

# Collecte des déchets

## Calendrier de collecte par quartier

Voici les jours de ramassage des poubelles dans chaque quartier.

- **Centre-Port** : ordures ménagères le lundi et le jeudi.
- **Les Dunes** : ordures ménagères le mardi.

Sortez votre bac la veille au soir, après 19 h.

## Les encombrants

Sur rendez-vous auprès d'Allô Propreté, <script>alert(1)</script> [lien](javascript:alert(1)).
"""


def add_markdown_document(title: str = "Collecte des déchets", text: str = WASTE):
    """Publish a Markdown town document (with YAML front matter) through the ingestion."""
    from knowledge.models import Document

    doc = add_document(text.encode(), "collecte.md", title=title, kind=Document.Kind.FAQ)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def wait_for(check, seconds: float = 10.0):
    """The first true value of `check()`, polled: the server settles after the page shows."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still not true after {seconds:.0f} s")


def answered(page, count: int | None = None):
    """Wait until the last answer is complete (its tools are shown); with `count`, until
    there are that many answers (a question is checked before its answer appears)."""
    if count is not None:
        expect(page.locator(".turn-assistant")).to_have_count(count)
    expect(answers(page).last).to_have_attribute("aria-busy", "false", timeout=15_000)
    expect(page.locator(".turn-assistant").last.locator(".answer-tools")).to_be_visible()


# The browser's speech features, recorded instead of spoken or heard: what the page asked
# for (text, language, voice) is what the tests check.
SPEECH = """
window.__spoken = [];
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
  speak(u) {
    window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : null });
    setTimeout(() => u.onend && u.onend(), 400);
  },
  cancel() {},
  getVoices() {
    return [{ name: "Daniel", lang: "en-GB" }, { name: "Thomas", lang: "fr-CA" },
            { name: "Amélie", lang: "fr-FR", localService: true }];
  },
}});
window.webkitSpeechRecognition = class {
  start() {
    window.__heard = { lang: this.lang };
    setTimeout(() => {
      const result = Object.assign([{ transcript: "quand a lieu le marché" }], { isFinal: true });
      this.onresult({ results: [result] });
      this.onend();
    }, 200);
  }
  stop() { this.onend(); }
};
window.SpeechRecognition = undefined;
"""
NO_SPEECH = """
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: undefined });
window.SpeechRecognition = undefined;
window.webkitSpeechRecognition = undefined;
"""


def snap(page, name: str):
    """A screenshot of what the screen shows (the pinned question box where it really is)."""
    from tests.support.browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def axe_violations(page) -> list[dict]:
    """Every axe-core violation on the page as it is now, whatever its impact (the page must
    have been opened with bypass_csp=True so that axe can be injected)."""
    from tests.support.browser import AXE

    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


# Controls smaller than 44 x 44 CSS pixels, among those shown (links inside running text,
# like an answer's or a document's own links, are exempt as in WCAG 2.5.5).
SMALL_TARGETS = """() => {
  const inline = ".answer a, #source-body a, .turn-error a, main p a, main li a, main td a";
  const controls = document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, a[href], [role=button]");
  return [...controls].filter((el) => {
    if (el.matches(inline) && !el.matches("a.button")) return false;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= 0) return false;
    if (getComputedStyle(el).visibility === "hidden") return false;
    return box.width < 43.5 || box.height < 43.5;
  }).map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}: ` +
    `${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`);
}"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)


def sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
