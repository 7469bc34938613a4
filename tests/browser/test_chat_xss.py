"""Whatever the model writes, the page renders it inert: the XSS corpus from a fake provider."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import answers, ask, sign_in

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "xss_payloads.txt"
PAYLOADS = [
    line.replace("\\n", "\n")
    for line in CORPUS.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]

DANGER = """() => {
  const root = document.querySelector('#turns');
  const bad = [];
  const ALLOWED = ['li', 'h3', 'p', 'div', 'section', 'ol', 'ul', 'strong', 'em', 'a', 'span',
                   'br', 'button'];
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (!ALLOWED.includes(tag)) bad.push('tag:' + tag);
    for (const attr of el.attributes) {
      if (/^(on|style$|src$|srcdoc$)/i.test(attr.name)) bad.push(tag + '@' + attr.name);
    }
    const href = tag === 'a' ? el.getAttribute('href') || '' : '#';
    if (!/^(https?:|mailto:|tel:|#|\\/)/i.test(href) || /^\\/\\//.test(href)) {
      bad.push('href:' + href);
    }
  }
  return bad;
}"""


@pytest.mark.security
def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 30


@pytest.mark.security
def test_it_renders_every_payload_of_the_corpus_inert(new_page, fake_llm, town, settings):
    settings.CHAT_RATE = "1000/m"
    # The strict CSP would block most of these anyway: switch it off to test the rendering alone.
    page = new_page(bypass_csp=True)
    page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss += 1; };")
    sign_in(page)
    failures = []
    for index, payload in enumerate(PAYLOADS):
        if index and index % 10 == 0:
            page.get_by_role("button", name="Nouvelle conversation").click()
            page.get_by_role("button", name="Oui, effacer et recommencer").click()
        fake_llm.script.chunks = [payload[: len(payload) // 2], payload[len(payload) // 2 :]]
        ask(page, f"Question {index}")
        expect(page.locator(".turn-assistant")).to_have_count(index % 10 + 1)  # checked, asked
        answer = answers(page).last
        expect(answer).to_have_attribute("aria-busy", "false")
        bad = page.evaluate(DANGER)
        if bad:
            failures.append((payload, bad))
        if not answer.inner_text().strip():
            failures.append((payload, ["vanished instead of showing as text"]))
    page.wait_for_timeout(300)  # let any delayed handler fire
    assert failures == []
    assert page.dialogs == []
    assert page.evaluate("window.__xss") == 0
