// Attachment picker: refuses HEIC and oversize files, downscales photos on a canvas before sending.

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_SIDE = 1600;
const MAX_RAW_IMAGE = 25 * 1024 * 1024;

const isHeic = (file) => /hei[cf]/i.test(file.type) || /\.hei[cf]$/i.test(file.name);

function readAsDataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Redraw a photo at most MAX_SIDE pixels wide or high, as JPEG (which also drops EXIF data). */
async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  if (!blob) throw new Error("canvas");
  return blob;
}

/**
 * Turn a chosen file into {kind, name, data} ready to send, or throw an Error whose message is
 * the key of a plain-language sentence ("heic", "bad_type", "too_big", "unreadable").
 */
export async function prepareAttachment(file, limits) {
  if (isHeic(file)) throw new Error("heic");
  if (file.type === "application/pdf" || /\.pdf$/i.test(file.name)) {
    if (file.size > limits.max_pdf_bytes) throw new Error("too_big");
    const data = await readAsDataURL(file);
    return { kind: "pdf", name: file.name, data: data.replace(/^data:[^;,]*/, "data:application/pdf") };
  }
  if (!IMAGE_TYPES.includes(file.type)) throw new Error("bad_type");
  if (file.size > MAX_RAW_IMAGE) throw new Error("too_big");
  let blob;
  try {
    blob = await downscale(file);
  } catch {
    throw new Error("unreadable");
  }
  if (blob.size > limits.max_image_bytes) throw new Error("too_big");
  return { kind: "image", name: file.name, data: await readAsDataURL(blob) };
}

/** The page's file picker: what is chosen, its status line and its "remove" button. */
export class AttachmentBox {
  constructor({ input, status, remove, limits, strings }) {
    this.input = input;
    this.status = status;
    this.removeButton = remove;
    this.S = strings;
    this.file = null; // {kind, name, data} waiting to be sent
    if (!input) return;
    input.addEventListener("change", async () => {
      const chosen = input.files[0];
      this.file = null;
      if (!chosen) return;
      try {
        this.keep(await prepareAttachment(chosen, limits));
      } catch (error) {
        input.value = "";
        status.textContent = this.S[error.message] || this.S.unreadable;
      }
    });
    remove.addEventListener("click", () => {
      this.clear();
      input.focus();
    });
  }

  keep(file) {
    this.file = file;
    if (!this.input) return;
    this.status.textContent = this.S.attached.replace("%s", file.name);
    this.removeButton.hidden = false;
  }

  clear() {
    this.file = null;
    if (!this.input) return;
    this.input.value = "";
    this.status.textContent = "";
    this.removeButton.hidden = true;
  }

  /** The file to send with the question being sent, and the box emptied. */
  take() {
    const file = this.file;
    this.clear();
    return file;
  }
}
