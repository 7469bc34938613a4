// Listen and speak with the browser's own speech features: answers read aloud (speechSynthesis)
// and questions dictated (SpeechRecognition). The page sends nothing anywhere for either; the
// controls are only shown where the browser offers the feature.

/** BCP 47 tag for the page language: "fr" -> "fr-FR", "en" -> "en-GB". */
export function speechLang(lang) {
  const base = String(lang || "fr").toLowerCase().split("-")[0];
  return { fr: "fr-FR", en: "en-GB" }[base] || base;
}

/** The best voice for `lang`: same language and region, else same language; local first. */
export function pickVoice(voices, lang) {
  const wanted = speechLang(lang).toLowerCase();
  const base = wanted.split("-")[0];
  const score = (voice) => {
    const tag = String(voice.lang || "").toLowerCase().replace("_", "-");
    if (tag.split("-")[0] !== base) return -1;
    return (tag === wanted ? 2 : 1) + (voice.localService ? 0.5 : 0);
  };
  let best = null;
  for (const voice of voices || []) if (score(voice) >= 0 && (!best || score(voice) > score(best))) best = voice;
  return best;
}

export const canSpeak = (win) => Boolean(win.speechSynthesis && win.SpeechSynthesisUtterance);
export const recognitionClass = (win) => win.SpeechRecognition || win.webkitSpeechRecognition || null;

/** Read `text` aloud in `lang`; `onEnd` is called once when it stops (finished or cancelled). */
export function speak(win, text, lang, onEnd) {
  const synth = win.speechSynthesis;
  synth.cancel();
  const utterance = new win.SpeechSynthesisUtterance(text);
  utterance.lang = speechLang(lang);
  const voice = pickVoice(synth.getVoices(), lang);
  if (voice) utterance.voice = voice;
  utterance.rate = 0.95; // a little slower than the default: easier to follow
  let ended = false;
  const end = () => {
    if (!ended) onEnd();
    ended = true;
  };
  utterance.onend = end;
  utterance.onerror = end;
  synth.speak(utterance);
  return () => {
    synth.cancel();
    end();
  };
}

/**
 * Dictation into a text box. `onText(text, final)` receives what was heard so far;
 * `onState(listening, error)` says when it starts and stops.
 */
export function dictate(win, lang, { onText, onState }) {
  const Recognition = recognitionClass(win);
  const recognition = new Recognition();
  recognition.lang = speechLang(lang);
  recognition.interimResults = true;
  recognition.continuous = false;
  recognition.onresult = (event) => {
    let text = "";
    let final = true;
    for (const result of event.results) {
      text += result[0].transcript;
      final = final && result.isFinal;
    }
    onText(text, final);
  };
  recognition.onerror = (event) => onState(false, event.error || "error");
  recognition.onend = () => onState(false, "");
  recognition.start();
  onState(true, "");
  return () => recognition.stop();
}
