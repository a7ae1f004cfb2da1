"""Requests that cost too much: bodies over the limit refused before they are read, image
bombs refused from their header before decoding, the registry preview without any password hash,
admin input checked before it is saved, and the registry's import files kept private and short."""

from __future__ import annotations

import io
import os
import stat
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

import runtime
from demo.seed import REGISTRY_CSV
from domain.filing import materials
from domain.lifecycle.states import Role
from domain.operator import imports
from domain.support import passwords
from extensions import db
from models import DomainSuffix, RegistrySubject
from tests.helpers.wizard import image_bytes, multipart

CSV_TEXT = REGISTRY_CSV.read_text(encoding="utf-8")
MB = 1024 * 1024


def _post_stream(client, path: str, size: int, content_type: str):
    """POST `size` bytes that the app must refuse by their Content-Length (never reading them)."""
    stream = io.BytesIO(b"a" * size)
    response = client.post(
        path, input_stream=stream, content_length=size, content_type=content_type
    )
    return response, stream.tell()


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    response, read = _post_stream(
        client, "/auth/login", 7 * MB, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.get_data(as_text=True) and "6 MB" in response.get_data(
        as_text=True
    )
    assert read == 0


def test_a_body_under_the_limit_goes_through(client):
    response, _read = _post_stream(
        client, "/auth/login", 5 * MB, "application/x-www-form-urlencoded"
    )
    assert response.status_code != 413


def test_only_the_registry_import_takes_a_larger_file(client, login, make_user):
    login(make_user(Role.admin))
    body, content_type = multipart({}, "csv", b"a" * (7 * MB), "registry.csv")
    seven = client.post("/admin/registry", data=body, content_type=content_type)
    assert seven.status_code == 422  # read and refused for its content, within the 11 MB
    assert "不是有效的 CSV" in seven.get_data(as_text=True)
    twelve, read = _post_stream(
        client, "/admin/registry", 12 * MB, "multipart/form-data; boundary=x"
    )
    assert twelve.status_code == 413 and read == 0
    ips, read = _post_stream(client, "/admin/ips", 7 * MB, "multipart/form-data; boundary=x")
    assert ips.status_code == 413 and read == 0


def _one_bit_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    bomb = _one_bit_png(6000, 6600)
    assert len(bomb) < 40_000  # tiny on the wire, 39.6 million pixels decoded
    decoded = []
    original_load = Image.Image.load
    monkeypatch.setattr(
        Image.Image, "load", lambda self: decoded.append(self.size) or original_load(self)
    )
    with pytest.raises(materials.UploadRefused) as refused:
        materials.inspect_image(bomb)
    assert "像素过大" in refused.value.message.render(lambda text: text)
    assert decoded == []  # refused from the header: nothing was decoded
    image, _format = materials.inspect_image(image_bytes("PNG", size=(4032, 3024)))
    assert image.size == (4032, 3024)  # a 12 MP phone photo still passes


def test_the_jpeg_comment_is_stripped_on_reencoding():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(
        buffer, "JPEG", comment=b"scanned by 11010519491231002x"
    )
    original = buffer.getvalue()
    assert b"11010519491231002x" in original
    image, image_format = materials.inspect_image(original)
    clean = materials.reencode(image, image_format)
    assert b"11010519491231002x" not in clean and b"\xff\xfe" not in clean  # no COM segment


@pytest.fixture
def hash_calls(monkeypatch):
    """How often each kind of password hash is computed."""
    calls = {"scrypt": 0, "werkzeug": 0, "filing": 0}
    import hashlib

    import werkzeug.security

    real_scrypt, real_generate = hashlib.scrypt, werkzeug.security.generate_password_hash
    real_mac = passwords._filing_mac

    def count(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(hashlib, "scrypt", count("scrypt", real_scrypt))
    monkeypatch.setattr(passwords, "generate_password_hash", count("werkzeug", real_generate))
    monkeypatch.setattr(passwords, "_filing_mac", count("filing", real_mac))
    return calls


def _upload(client, text: str):
    return client.post(
        "/admin/registry",
        data={"csv": (io.BytesIO(text.encode()), "registry.csv")},
        content_type="multipart/form-data",
    )


def _token(response) -> str:
    return response.get_data(as_text=True).split("/admin/registry/")[1][:32]


def test_registry_preview_hashes_nothing_and_import_no_scrypt(
    app, client, login, make_user, hash_calls
):
    login(make_user(Role.admin))
    hash_calls.update(scrypt=0, werkzeug=0, filing=0)
    preview = _upload(client, CSV_TEXT)
    assert preview.status_code == 200
    assert hash_calls == {"scrypt": 0, "werkzeug": 0, "filing": 0}
    assert db.session.scalar(select(RegistrySubject.id)) is None  # nothing written
    assert client.post(f"/admin/registry/{_token(preview)}").status_code == 302
    subjects = db.session.scalars(select(RegistrySubject)).all()
    assert len(subjects) >= 15
    # one keyed hash per new subject, no scrypt at all (was one 0.1–0.5 s scrypt per subject)
    assert hash_calls["scrypt"] == 0 and hash_calls["werkzeug"] == 0
    assert hash_calls["filing"] == len(subjects)
    again = _upload(client, CSV_TEXT)
    assert "已有主体" in again.get_data(as_text=True) and hash_calls["filing"] == len(subjects)


def test_filing_password_hash_is_keyed_and_old_scrypt_hashes_still_verify(app):
    hasher = runtime.current().hasher
    stored = hasher.hash_filing_password("Qinghe2021")
    assert "Qinghe2021" not in stored and stored.startswith(passwords.FILING_HASH_PREFIX)
    assert hasher.check_filing_password_hash(stored, "Qinghe2021")
    assert not hasher.check_filing_password_hash(stored, "qinghe2021")
    assert stored != hasher.hash_filing_password("Qinghe2021")  # salted
    app.config["SECRET_KEY"] = "another-key"
    hasher = runtime.install(app).hasher  # the runtime built anew with the key, as at a restart
    assert not hasher.check_filing_password_hash(stored, "Qinghe2021")  # the key is needed
    from werkzeug.security import generate_password_hash

    old = generate_password_hash("Qinghe2021", method="scrypt:1024:8:1")
    assert hasher.check_filing_password_hash(old, "Qinghe2021")


def test_a_registry_row_with_a_name_too_long_is_refused_with_its_line(client, login, make_user):
    login(make_user(Role.admin))
    lines = CSV_TEXT.splitlines()
    fields = lines[2].split(",")
    fields[1] = "长" * 129
    lines[2] = ",".join(fields)
    response = _upload(client, "\n".join(lines) + "\n")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第 3 行" in body and "subject_name 超过 128 个字符" in body


@pytest.mark.parametrize("suffix", ["*.cn", "my_shop.cn", "com..cn", "a b.cn", "-x.cn"])
def test_a_malformed_suffix_is_refused_and_the_precheck_keeps_working(
    client, login, make_user, suffix
):
    login(make_user(Role.admin))
    response = client.post(
        "/admin/tables/suffixes", data={"suffix": suffix, "approved": "1"}, follow_redirects=True
    )
    assert "域名后缀格式不正确" in response.get_data(as_text=True)
    assert db.session.get(DomainSuffix, suffix.strip(".").lower()) is None
    data = (Path(__file__).parent.parent / "data" / "application_ok.json").read_bytes()
    assert (
        client.post("/api/v1/precheck", data=data, content_type="application/json").status_code
        == 200
    )


def test_a_bad_suffix_already_stored_is_ignored_not_a_server_error(client):
    db.session.add(DomainSuffix(suffix="*.cn", approved=True))
    db.session.commit()
    data = (Path(__file__).parent.parent / "data" / "application_ok.json").read_bytes()
    assert (
        client.post("/api/v1/precheck", data=data, content_type="application/json").status_code
        == 200
    )


@pytest.mark.parametrize("suffix", ["cn", "com.cn", "中国", "xn--fiqs8s", ".Net.CN."])
def test_good_suffixes_are_saved(client, login, make_user, suffix):
    login(make_user(Role.admin))
    client.post("/admin/tables/suffixes", data={"suffix": suffix, "approved": "1"})
    assert db.session.get(DomainSuffix, suffix.strip(".").lower()) is not None


def test_import_files_are_private_deleted_at_confirm_and_expire(app, client, login, make_user):
    login(make_user(Role.admin))
    folder = Path(app.config["UPLOAD_FOLDER"]).parent / "imports"
    token = _token(_upload(client, CSV_TEXT))
    path = folder / f"{token}.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert client.post(f"/admin/registry/{token}").status_code == 302
    assert not path.exists()
    # an unconfirmed preview: refused and deleted after an hour, and the sweep removes it too
    stale = _token(_upload(client, CSV_TEXT.replace("2029-05-20", "2030-05-20", 1)))
    old = time.time() - 61 * 60
    os.utime(folder / f"{stale}.csv", (old, old))
    assert client.post(f"/admin/registry/{stale}").status_code == 404
    assert not (folder / f"{stale}.csv").exists()
    leftover = imports.save_preview(folder, "x")
    os.utime(folder / f"{leftover}.csv", (old, old))
    fresh = imports.save_preview(folder, "y")
    assert imports.sweep_previews(folder, 3600) == 1
    assert not (folder / f"{leftover}.csv").exists() and (folder / f"{fresh}.csv").exists()
