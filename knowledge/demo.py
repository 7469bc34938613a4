"""Load the fictional demo town's documents (demo/documents) into the knowledge base."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files import File

from .extract import parse_front_matter
from .ingest import EXTENSIONS, content_hash, ingest_document
from .models import Document

DEMO_DIR = settings.BASE_DIR / "demo" / "documents"
KINDS = set(Document.Kind.values)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def demo_sources(directory: Path = DEMO_DIR) -> list[tuple[Path, dict[str, str]]]:
    """Each demo file with its metadata: Markdown front matter, or a `.meta` sidecar."""
    sources = []
    if not directory.is_dir():
        return sources
    for path in sorted(directory.iterdir()):
        sidecar = path.with_name(path.name + ".meta")
        if path.suffix in (".md", ".markdown"):
            meta, _ = parse_front_matter(path.read_text(encoding="utf-8"))
        elif path.suffix.lower() in EXTENSIONS and sidecar.exists():
            meta, _ = parse_front_matter(sidecar.read_text("utf-8"))
            if not meta:  # a sidecar may hold bare `key: value` lines
                meta, _ = parse_front_matter("---\n" + sidecar.read_text("utf-8") + "\n---\n")
        else:
            continue
        sources.append((path, meta))
    return sources


def load_demo_town(directory: Path = DEMO_DIR) -> int:
    """Create and ingest every demo document not loaded yet; returns how many were added."""
    added = 0
    for path, meta in demo_sources(directory):
        data = path.read_bytes()
        digest = content_hash(data)
        if Document.objects.filter(content_hash=digest).exists():
            continue
        kind = meta.get("kind", "")
        doc = Document(
            title=meta.get("title") or path.stem,
            kind=kind if kind in KINDS else Document.Kind.OTHER,
            published_on=_date(meta.get("published")) or dt.date.today(),
            valid_from=_date(meta.get("valid_from")),
            valid_until=_date(meta.get("valid_until")),
            # The demo's web addresses are fictional (.example never resolves): sources link
            # to the copy the site serves. A real town's pages keep their own address.
            source_url="",
            content_hash=digest,
            original_name=path.name,
        )
        with path.open("rb") as handle:
            doc.file.save(path.name, File(handle), save=False)
        doc.save()
        ingest_document(doc.pk)
        added += 1
    return added
