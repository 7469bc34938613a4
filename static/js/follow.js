// The view follows an answer as it is written, unless the resident scrolled up; a button
// brings back the latest text. The answer's first line never scrolls out of sight on its
// own: a resident who reads slower than the answer arrives keeps reading from its start.

const SLACK = 48; // px: "at the end" within this distance (a rounding, a half line)

/**
 * Where to scroll so that the answer's end sits just above the composer, without its start
 * going above the top of the screen. Positions are page coordinates; null: do not move.
 */
export function followTarget({ scrollY, viewport, composer, answerTop, answerBottom, keepStart = true, margin = 12 }) {
  const wanted = answerBottom - (viewport - composer) + margin;
  const limit = answerTop - margin; // the answer's start stays on screen
  const target = keepStart ? Math.min(wanted, limit) : wanted;
  return target > scrollY + 1 ? Math.round(target) : null;
}

/** Whether the page is scrolled to (nearly) its end. */
export function atEnd({ scrollY, viewport, height }) {
  return scrollY + viewport >= height - SLACK;
}

export class Follower {
  /** `win`: the window; `button`: "back to the latest"; `composer()`: its current height;
   * `shown()`: whether there is anything to go back to (a conversation). */
  constructor(win, button, composer, shown = () => true) {
    this.win = win;
    this.button = button;
    this.composer = composer;
    this.shown = shown;
    this.following = false;
    this.keepStart = true; // false once the resident asked for the latest text
    this.expected = null;
    this.lastY = win.scrollY;
    win.addEventListener("scroll", () => this.scrolled(), { passive: true });
    button.addEventListener("click", () => this.toEnd());
  }

  page() {
    const doc = this.win.document.documentElement;
    return { scrollY: this.win.scrollY, viewport: this.win.innerHeight, height: doc.scrollHeight };
  }

  /** A new answer starts: follow it. */
  start() {
    this.following = true;
    this.keepStart = true;
    this.update();
  }

  /** The answer grew: keep its end in view, if still following. */
  track(element) {
    if (this.following && element) {
      const box = element.getBoundingClientRect();
      const target = followTarget({
        scrollY: this.win.scrollY,
        viewport: this.win.innerHeight,
        composer: this.composer(),
        answerTop: box.top + this.win.scrollY,
        answerBottom: box.bottom + this.win.scrollY,
        keepStart: this.keepStart,
      });
      if (target !== null) this.scrollTo(target);
    }
    this.update();
  }

  scrollTo(top) {
    this.expected = top;
    this.win.scrollTo({ top, behavior: "instant" });
  }

  scrolled() {
    const y = this.win.scrollY;
    const ours = this.expected !== null && Math.abs(y - this.expected) < 2;
    this.expected = null;
    if (!ours && y < this.lastY - 1 && !atEnd(this.page())) this.following = false; // scrolled up
    this.lastY = y;
    this.update();
  }

  toEnd() {
    this.following = true;
    this.keepStart = false;
    this.scrollTo(this.win.document.documentElement.scrollHeight);
    this.update();
  }

  update() {
    this.button.hidden = !this.shown() || atEnd(this.page());
  }
}
