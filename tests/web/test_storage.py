"""Uploads through the storage interface: the local folder (default) and S3-compatible object storage,
tested against a real S3 server (moto's server mode) started on a loopback port by the test."""

from __future__ import annotations

import os
import stat

import pytest

from adapters.storage import LocalStorage, S3Storage
from tests.helpers import transitions
from tests.helpers.s3 import CREDENTIALS, s3_server

BUCKET = "beian-materials"
KEY = "0123456789abcdef0123456789abcdef.png"


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server(BUCKET) as endpoint:
        yield endpoint


def test_local_storage_round_trip_and_refuses_foreign_keys(tmp_path):
    store = LocalStorage(tmp_path)
    store.put(KEY, b"png-bytes", "image/png")
    assert store.get(KEY) == b"png-bytes"
    assert (tmp_path / KEY[:2] / KEY).is_file()
    assert store.get("ffffffffffffffffffffffffffffffff.png") is None
    for bad in ("../../etc/passwd", "abc.png", KEY.replace(".png", ".svg"), "/" + KEY):
        with pytest.raises(ValueError):
            store.get(bad)


def test_local_storage_keeps_images_readable_by_the_app_user_only(tmp_path):
    previous = os.umask(0o022)  # a usual umask: 644 files and 755 folders unless asked otherwise
    try:
        LocalStorage(tmp_path / "uploads").put(KEY, b"png-bytes", "image/png")
    finally:
        os.umask(previous)
    root = tmp_path / "uploads"
    assert stat.S_IMODE((root / KEY[:2] / KEY).stat().st_mode) == 0o600
    assert stat.S_IMODE((root / KEY[:2]).stat().st_mode) == 0o700
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_s3_storage_round_trip(s3_endpoint):
    store = S3Storage(BUCKET, "materials/", endpoint_url=s3_endpoint, **CREDENTIALS)
    store.put(KEY, b"png-bytes", "image/png")
    assert store.get(KEY) == b"png-bytes"
    head = store.client.head_object(Bucket=BUCKET, Key="materials/" + KEY)
    assert head["ContentType"] == "image/png"
    assert store.get("ffffffffffffffffffffffffffffffff.png") is None
    with pytest.raises(ValueError):
        store.put("../x.png", b"", "image/png")


def filing_at_materials(client, make_user, login):
    """A logged-in applicant's filing, submitted and approved at the first review: materials due."""
    from domain.lifecycle.states import Action, Role
    from domain.operator import ip_pool
    from extensions import db
    from tests.helpers.wizard import load_demo, walk_to_confirm

    load_demo()
    user = make_user(Role.applicant)
    ip_pool.assign_free(user, 2)
    db.session.commit()
    login(user)
    filing = walk_to_confirm(client, user)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    return filing


class TestUploadsGoToS3:
    @pytest.fixture
    def app_config(self, s3_endpoint):
        return {
            "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1", "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test",
        }  # fmt: skip

    def test_material_is_stored_in_the_bucket_and_served_back(self, app, client, make_user, login):
        from pathlib import Path

        from sqlalchemy import select

        from extensions import db
        from models import Material
        from tests.helpers.wizard import image_bytes, upload_material

        filing = filing_at_materials(client, make_user, login)
        assert upload_material(client, filing, "id_front", image_bytes("PNG")).status_code == 200
        material = db.session.scalar(select(Material).where(Material.filing_id == filing.id))
        served = client.get(f"/filings/{filing.id}/materials/{material.id}")
        assert served.status_code == 200 and served.data[:8] == b"\x89PNG\r\n\x1a\n"
        assert served.headers["Cache-Control"] == "no-store, private"
        import boto3

        bucket = boto3.client("s3", endpoint_url=app.config["S3_ENDPOINT_URL"], **CREDENTIALS)
        keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        assert "materials/" + material.storage_key in keys
        assert not any(Path(app.config["UPLOAD_FOLDER"]).glob("**/*.png"))  # nothing on local disk


class TestOneS3ClientPerProcess:
    """The storage is built once per process (runtime/), not per request: ten uploads and the app's
    start make one boto3 client between them."""

    @pytest.fixture
    def clients_made(self, monkeypatch):
        import botocore.session

        made: list[str] = []
        real = botocore.session.Session.create_client

        def counting(session, service_name, *args, **kwargs):
            made.append(service_name)
            return real(session, service_name, *args, **kwargs)

        monkeypatch.setattr(botocore.session.Session, "create_client", counting)
        return made

    @pytest.fixture
    def app_config(self, s3_endpoint, clients_made):  # counting starts before the app is built
        return {
            "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1", "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test",
        }  # fmt: skip

    def test_ten_uploads_make_one_boto3_client(self, clients_made, app, client, make_user, login):
        from sqlalchemy import func, select

        from extensions import db
        from models import Material
        from tests.helpers.wizard import image_bytes, upload_material

        filing = filing_at_materials(client, make_user, login)
        for shade in range(10):
            image = image_bytes("PNG", color=(200, 30, shade))
            assert upload_material(client, filing, "id_front", image).status_code == 200
        uploaded = select(func.count()).select_from(Material).where(Material.filing_id == filing.id)
        assert db.session.scalar(uploaded) == 10
        assert clients_made == ["s3"]
