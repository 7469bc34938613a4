"""Checks a resident's attachment: a downscaled photo passed on, or a PDF's text, bounded."""

import base64
import binascii
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import pdftext

MAX_IMAGE_BYTES = 2_500_000  # after the browser's downscaling (longest side 1600 px)
MAX_IMAGE_SIDE = 4096
MAX_PDF_BYTES = 8_000_000
MAX_PDF_PAGES = 30
MAX_PDF_CHARS = 8_000
# The largest question request: a PDF at its limit in base64 (4 characters per 3 bytes) plus
# the message, the earlier turns and the JSON around them (a few tens of KB at most). Bigger
# bodies are refused with 413 before they are read (arcachat/handler.py).
QUESTION_MARGIN_BYTES = 256 * 1024
MAX_QUESTION_BYTES = -(-MAX_PDF_BYTES // 3) * 4 + QUESTION_MARGIN_BYTES
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
HEIC_TYPES = {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"}
DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$")


class AttachmentError(ValueError):
    """A refused attachment; `user_message` says why in plain words."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


@dataclass
class Attachment:
    images: list[str] = field(default_factory=list)  # data URLs
    text: str = ""  # text extracted from a PDF, already bounded
    truncated: bool = False


def _decode(data_url: str, limit: int) -> tuple[str, bytes]:
    match = DATA_URL.match(data_url or "")
    if not match:
        raise AttachmentError(_("This file could not be read. Please choose it again."))
    if len(match.group(2)) > limit * 4 // 3 + 8:
        raise AttachmentError(_("This file is too large. Please choose a smaller one."))
    try:
        raw = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        raise AttachmentError(_("This file could not be read. Please choose it again.")) from None
    return match.group(1).lower(), raw


def _image(mime: str, raw: bytes, data_url: str) -> Attachment:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as img:
            fmt, size = img.format, img.size
            img.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise AttachmentError(_("This photo could not be read. Please try another one.")) from None
    if fmt != IMAGE_FORMATS[mime] or max(size) > MAX_IMAGE_SIDE:
        raise AttachmentError(_("This photo could not be read. Please try another one."))
    return Attachment(images=[data_url])


def _pdf_text(raw: bytes) -> Attachment:
    """The PDF's text, read in a child process with hard limits (arcachat/pdftext.py)."""
    try:
        read = pdftext.read_text(raw, MAX_PDF_PAGES, MAX_PDF_CHARS)
    except pdftext.ReadFailed as failed:
        if failed.reason == "busy":
            raise AttachmentError(
                _("Many files are being read right now. Please send yours again in a minute.")
            ) from None
        raise AttachmentError(_("This PDF could not be read. Please try another file.")) from None
    if read["encrypted"]:
        raise AttachmentError(_("This PDF is protected by a password and cannot be read."))
    if not read["text"]:
        raise AttachmentError(
            _("This PDF has no text we can read (it may be a scan). Send a photo of it instead.")
        )
    return Attachment(text=read["text"], truncated=read["truncated"])


def parse_attachment(payload, images_allowed: bool) -> Attachment | None:
    """Validate the `attachment` field of a question ({kind, data}); None when there is none."""
    if not payload:
        return None
    if not images_allowed:
        raise AttachmentError(_("Attachments are not available at the moment."))
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), str):
        raise AttachmentError(_("This file could not be read. Please choose it again."))
    head = payload["data"][:40].lower()
    if any(head.startswith(f"data:{t}") for t in HEIC_TYPES):
        raise AttachmentError(
            _("iPhone photos in HEIC format are not supported. Please send a JPEG or PNG photo.")
        )
    if head.startswith("data:application/pdf"):
        _mime, raw = _decode(payload["data"], MAX_PDF_BYTES)
        if not raw.startswith(b"%PDF-"):
            raise AttachmentError(_("This PDF could not be read. Please try another file."))
        return _pdf_text(raw)
    mime, raw = _decode(payload["data"], MAX_IMAGE_BYTES)
    if mime not in IMAGE_FORMATS:
        raise AttachmentError(_("Only photos (JPEG, PNG or WebP) and PDF files can be sent."))
    return _image(mime, raw, payload["data"])
