"""At least 200 hostile uploads generated here: wrong magic bytes, polyglots, decompression bombs,
oversize, empty files, path-traversal and odd-Unicode names, SVG with script, truncated images.
Goal: 0 accepted, 0 server errors, nothing written outside the upload folder."""

from __future__ import annotations

import io
import itertools
import os
import struct
import zlib
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from domain.lifecycle.states import Action, Role
from extensions import db
from models import Material
from tests.helpers import transitions
from tests.helpers.wizard import image_bytes, multipart, walk_to_confirm

NAMES = ["a.png", "../../etc/passwd", "..\\..\\win.ini", "/abs/path.jpg", "x.png\x00.exe", "‮gnp.exe",
         "名字.jpg", "a" * 300 + ".png", "CON", ".htaccess"]  # fmt: skip


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that claims to be huge (its IDAT is a sliver of zeros)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def hostile_payloads() -> list[tuple[str, bytes]]:
    good_png, good_jpg = image_bytes("PNG"), image_bytes("JPEG")
    small = io.BytesIO()
    Image.new("RGB", (50, 50)).save(small, "PNG")
    payloads = {
        "empty": b"",
        "one byte": b"\x89",
        "png magic only": b"\x89PNG\r\n\x1a\n",
        "jpeg magic only": b"\xff\xd8\xff\xe0",
        "truncated png": good_png[: len(good_png) // 2],
        "truncated jpeg": good_jpg[: len(good_jpg) // 3],
        "svg with script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "html": b"<html><script>alert(document.cookie)</script></html>",
        "php in jpeg name": b"<?php system($_GET['c']); ?>",
        "zip polyglot": b"PK\x03\x04" + os.urandom(200),
        "pdf": b"%PDF-1.7\n" + os.urandom(300),
        "gif": b"GIF89a" + os.urandom(100),
        "bmp": b"BM" + os.urandom(200),
        "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + os.urandom(100),
        "elf": b"\x7fELF" + os.urandom(200),
        "too small image": small.getvalue(),
        "png bomb 50k x 50k": png_bomb(50_000, 50_000),
        "png bomb 100k x 10": png_bomb(100_000, 10),
        "oversize": b"\x89PNG\r\n\x1a\n" + b"\x00" * (4 * 1024 * 1024 + 10),
        "random": os.urandom(4096),
        "jpeg header + script": b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 20,
        "png header + html": b"\x89PNG\r\n\x1a\n<html>" + b"x" * 500,
        "utf-16 text": "不是图片".encode("utf-16"),
    }
    return list(payloads.items())


def test_two_hundred_hostile_uploads_are_all_refused(
    app, client, applicant, make_user, tmp_path, capsys
):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    upload_folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    before = {p for p in Path(tmp_path).rglob("*")}
    statuses, sent = [], 0
    cases = list(itertools.product(hostile_payloads(), NAMES))
    for (label, data), name in cases:
        body, content_type = multipart({"kind": "id_front", "website_id": ""}, "file", data, name)
        response = client.post(
            f"/filings/{filing.id}/materials",
            data=body,
            content_type=content_type,
            headers={"HX-Request": "true"},
        )
        sent += 1
        statuses.append((label, name[:20], response.status_code))
    accepted = [s for s in statuses if s[2] < 400]
    errors = [s for s in statuses if s[2] >= 500]
    stored = db.session.scalar(
        select(func.count()).select_from(Material).where(Material.filing_id == filing.id)
    )
    outside = [
        p
        for p in set(Path(tmp_path).rglob("*")) - before
        if upload_folder not in p.resolve().parents
    ]
    with capsys.disabled():
        print(f"\nhostile uploads: {sent} sent, {len(accepted)} accepted, {len(errors)} server errors, "
              f"{len(outside)} files outside the upload folder")  # fmt: skip
    assert sent >= 200
    assert accepted == [] and errors == [] and stored == 0 and outside == []
    # the control: the same form takes a real photo, so the refusals above are the files' own
    body, content_type = multipart(
        {"kind": "id_front", "website_id": ""}, "file", image_bytes("JPEG"), "ok.jpg"
    )
    assert (
        client.post(
            f"/filings/{filing.id}/materials", data=body, content_type=content_type
        ).status_code
        == 302
    )
