// Sign-in form: read the slip's QR code with the device's camera (inside a town site's panel
// too, where the phone's camera app cannot help). The QR code holds the site's address with
// the code in its fragment ("/#code=..."): only the code is taken from it, never the address
// (nothing is opened), it is put in the field and the form is sent. The browser's own
// BarcodeDetector reads the image where there is one; elsewhere jsQR (static/js/vendor),
// loaded only when a resident presses the button. No image leaves the device.
import { codeFromFragment } from "./signin.js";

const EVERY_MS = 200; // a frame read five times a second: quick enough, light on a phone
const BARE_CODE = /^[0-9A-Za-z][0-9A-Za-z\- ]{7,58}$/;

/** The access code a scanned QR text carries ("https://.../#code=K3PX-...", or the code
 * alone), or null for any other text. */
export function codeFromScan(text) {
  const value = (text || "").trim();
  const hash = value.indexOf("#");
  if (hash >= 0) return codeFromFragment(value.slice(hash));
  return BARE_CODE.test(value) ? value : null;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    if (window.jsQR) return resolve();
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("decoder"));
    document.head.append(script);
  });
}

/** A function reading the QR code in the video's current frame ("" when none is seen). */
async function reader(decoderUrl) {
  if ("BarcodeDetector" in window) {
    try {
      if ((await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => ((await detector.detect(video))[0] || {}).rawValue || "";
      }
    } catch {
      // no usable detector: jsQR below
    }
  }
  await loadScript(decoderUrl);
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const [width, height] = [video.videoWidth, video.videoHeight];
    if (!width || !height) return "";
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height);
    return found ? found.data : "";
  };
}

function problem(error, words) {
  if (error && error.name === "NotAllowedError") return words.denied;
  if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
    return words.none;
  }
  return words.failed;
}

/** Open the camera in the dialog until a slip's code is read, then sign in with it. */
async function scan(button, dialog, field) {
  const video = dialog.querySelector("video");
  const status = dialog.querySelector("[role=status]");
  const words = dialog.dataset;
  let stream = null;
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  dialog.addEventListener("close", stop, { once: true });
  status.textContent = words.starting;
  dialog.showModal();
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
    if (!dialog.open) return stop(); // closed while the browser asked
    video.srcObject = stream;
    await video.play();
    const read = await reader(button.dataset.decoder);
    status.textContent = words.looking;
    timer = setInterval(async () => {
      const text = await read(video).catch(() => "");
      const code = codeFromScan(text);
      if (code) {
        stop();
        dialog.close();
        field.value = code;
        field.form.requestSubmit();
      } else if (text) {
        status.textContent = words.other;
      }
    }, EVERY_MS);
  } catch (error) {
    stop();
    status.textContent = problem(error, words);
  }
}

const button = typeof document === "undefined" ? null : document.getElementById("scan-code");
const dialog = button && document.getElementById("scan-dialog");
const field = button && document.getElementById("code");
const media = typeof navigator === "undefined" ? null : navigator.mediaDevices;
if (button && dialog && field && media && media.getUserMedia && media.enumerateDevices) {
  button.addEventListener("click", () => scan(button, dialog, field));
  dialog.querySelector(".scan-close").addEventListener("click", () => dialog.close());
  // Shown only on a device with a camera (a desktop without one never offers it).
  media.enumerateDevices().then((devices) => {
    button.hidden = !devices.some((device) => device.kind === "videoinput");
  }, () => {});
}
