"""Hostile files for the upload tests: zip and XML bombs, lying headers, flate bombs, disguises."""

import io
import struct
import zipfile
import zlib

from tests.support.documents import make_docx, make_pdf, pdf_with_pages

MB = 1 << 20


def honest_zip_bomb(mb: int) -> bytes:
    """A .docx whose document.xml declares (truthfully) `mb` MB once inflated."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w") as member,
    ):
        for _ in range(mb):
            member.write(b"\0" * MB)
    return out.getvalue()


def lying_zip_bomb(padding_mb: int) -> bytes:
    """A real .docx whose document.xml is followed by `padding_mb` MB of spaces, with the
    archive's size and CRC fields rewritten to describe only the real XML: a reader trusting
    the headers sees a 1 KB member, zipfile's read() inflates all of it first."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("p", "Bonjour de la mairie.")])))
    xml = source.read("word/document.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item.filename, source.read(item))
                continue
            with archive.open(item.filename, "w") as member:
                member.write(xml)
                for _ in range(padding_mb):
                    member.write(b" " * MB)
    data = bytearray(out.getvalue())
    fields = struct.pack("<I", zlib.crc32(xml)), struct.pack("<I", len(xml))
    # (signature, name length at, name at, CRC at): local headers, then the central directory.
    for signature, length_at, name_at, crc_at in (
        (b"PK\x03\x04", 26, 30, 14),
        (b"PK\x01\x02", 28, 46, 16),
    ):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            length = struct.unpack("<H", data[i + length_at : i + length_at + 2])[0]
            if data[i + name_at : i + name_at + length] == b"word/document.xml":
                data[i + crc_at : i + crc_at + 4] = fields[0]
                data[i + crc_at + 8 : i + crc_at + 12] = fields[1]  # uncompressed size
            start = i + 4
    return bytes(data)


def docx_with_xml(transform) -> bytes:
    """A real .docx whose document.xml is rewritten by `transform(xml: str) -> str`."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("p", "PLACEHOLDER")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = transform(data.decode()).encode()
            archive.writestr(item, data)
    return out.getvalue()


def _with_dtd(xml: str, dtd: str, body: str) -> str:
    return xml.replace("?>", "?>" + dtd, 1).replace("PLACEHOLDER", body)


def billion_laughs_docx() -> bytes:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    return docx_with_xml(lambda xml: _with_dtd(xml, f"<!DOCTYPE w:document [{entities}]>", "&j;"))


def xxe_docx(path: str = "/etc/passwd") -> bytes:
    dtd = f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{path}">]>'
    return docx_with_xml(lambda xml: _with_dtd(xml, dtd, "Avant &x; apres"))


def xxe_html(path: str = "/etc/passwd") -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{path}">]>'
        "<html><body><main><h1>Mairie</h1><p>Avant &x; apres, ouvert le lundi.</p></main>"
        "</body></html>"
    ).encode()


def flate_bomb_pdf(mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to `mb` MB (a little text, then spaces)."""
    packer = zlib.compressobj(9)
    stream = packer.compress(b"BT /F1 12 Tf 72 712 Td (Bonjour) Tj ET\n")
    for _ in range(mb):
        stream += packer.compress(b" " * MB)
    return pdf_with_pages([stream + packer.flush()])


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring width x height pixels with one tiny row of data: a decompression bomb
    as far as a decoder trusting the header is concerned."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def encrypted_pdf() -> bytes:
    return make_pdf(["Budget confidentiel de la mairie."], password="s3cret")


def pdf_with_scripts(script: str) -> bytes:
    """A sound 2-page PDF that runs `script` when opened, three ways: the catalog's
    OpenAction, the document-level JavaScript name tree, and the first page's open action."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    def action():
        return DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(script),
            }
        )

    writer = PdfWriter(
        clone_from=PdfReader(io.BytesIO(make_pdf(["Avis aux habitants.", "Suite."])))
    )
    root = writer.root_object
    root[NameObject("/OpenAction")] = action()
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), action()])})
    root[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
