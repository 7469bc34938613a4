"""Request shaping shared by adapters: images only where readable, data URLs, OpenAI messages.

A provider whose capabilities say images=False gets the request without its images and
with one line telling the model, in the resident's language, that photos it cannot see
were attached. Dropping beats skipping such a provider: the question usually still makes
sense without the photo, and a generated answer that says it cannot see the photo is more
useful than the offline provider's extracts, which cannot see it either.
"""

from __future__ import annotations

import base64
from dataclasses import replace

from .messages import ChatRequest, Message

UNSEEN_PHOTOS = {
    "fr": (
        "[L'habitant a joint une photo que tu ne peux pas voir.]",
        "[L'habitant a joint {count} photos que tu ne peux pas voir.]",
    ),
    "en": (
        "[The resident attached a photo that you cannot see.]",
        "[The resident attached {count} photos that you cannot see.]",
    ),
}

_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def image_parts(image: bytes | str) -> tuple[str, str]:
    """(media_type, base64 data) of an image given as bytes or a data: URL."""
    if isinstance(image, str):
        header, _, data = image.partition(",")
        media_type = header.removeprefix("data:").split(";")[0] or "image/jpeg"
        return media_type, data
    media_type = next(
        (kind for magic, kind in _MAGIC.items() if image.startswith(magic)),
        "image/webp" if image[8:12] == b"WEBP" else "image/jpeg",
    )
    return media_type, base64.b64encode(image).decode("ascii")


def data_url(image: bytes | str) -> str:
    media_type, data = image_parts(image)
    return f"data:{media_type};base64,{data}"


def openai_messages(request: ChatRequest, image_part) -> list[dict]:
    """System + conversation as OpenAI-style dicts; images join the last user message
    as parts built by image_part(data_url) (the shape differs slightly per vendor)."""
    messages: list[dict] = [{"role": "system", "content": request.system}] if request.system else []
    messages += [{"role": m.role, "content": m.content} for m in request.messages]
    if request.images and messages and messages[-1]["role"] == "user":
        last = messages[-1]
        last["content"] = [{"type": "text", "text": last["content"]}] + [
            image_part(data_url(image)) for image in request.images
        ]
    return messages


def readable_by(capabilities: dict, request: ChatRequest) -> ChatRequest:
    """The request as a provider with these capabilities may receive it (see above)."""
    if not request.images or capabilities.get("images"):
        return request
    one, many = UNSEEN_PHOTOS.get((request.language or "fr")[:2].lower(), UNSEEN_PHOTOS["fr"])
    count = len(request.images)
    note = one if count == 1 else many.format(count=count)
    messages = list(request.messages)
    if messages and messages[-1].role == "user":
        messages[-1] = Message("user", f"{messages[-1].content}\n\n{note}")
    return replace(request, images=[], messages=messages)
