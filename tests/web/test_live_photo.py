"""The built-in identity verification: the live photo on the phone page must show exactly one
face (OpenCV's frontal-face cascade) and is refused as blank, uniform or tiny, in words the person
can act on, in their language; and every stored image, the live photo and each material, is kept
without its metadata (EXIF, GPS), upright."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from adapters.storage import LocalStorage
from domain.lifecycle.states import Action, Role
from extensions import db
from models import Material
from tests.helpers import transitions
from tests.helpers.photos import blank, face_photo, landscape, phone_face_photo, two_faces
from tests.helpers.wizard import upload_material, walk_to_confirm

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def pending(client, applicant, make_user):
    """A filing that passed initial review: materials and verification are due."""
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    return filing


def phone_link(client, filing) -> str:
    website = filing.websites[0]
    html = client.post(f"/filings/{filing.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    return re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)


def post_photo(client, path: str, data: bytes, name: str = "live.jpg", lang: str = ""):
    phone = client.application.test_client()  # the person's phone: no login
    if lang:
        phone.get(f"/lang/{lang}")
    return phone.post(
        path, data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def with_gps(data: bytes, orientation: int = 1) -> bytes:
    """The picture as a phone saves it: EXIF with the maker, the place (GPS) and the orientation."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 10.0), 3: "E", 4: (120.0, 10.0, 5.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def stored(app, material: Material) -> Image.Image:
    path = LocalStorage(Path(app.config["UPLOAD_FOLDER"])).path(material.storage_key)
    return Image.open(io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize(
    ("picture", "name", "says"),
    [
        (blank("PNG"), "black.png", "照片几乎是一片纯色"),
        (blank("JPEG", colour=(250, 250, 250)), "white.jpg", "照片几乎是一片纯色"),
        (landscape(), "landscape.jpg", "照片中没有检测到人脸"),
        (two_faces(), "two.jpg", "请只拍本人一人"),
        (blank("PNG", size=(120, 90), colour=(200, 150, 120)), "tiny.png", "图片太小"),
    ],
    ids=["black-800x600-png", "white", "landscape", "two-faces", "tiny"],
)
def test_a_live_photo_without_exactly_one_face_is_refused(client, pending, picture, name, says):
    path = phone_link(client, pending)
    response = post_photo(client, path, picture, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and says in page
    website = pending.websites[0]
    db.session.refresh(website)
    assert website.authenticity_verified_at is None and not website.identity_check
    assert db.session.scalar(select(Material).where(Material.kind == "live_photo")) is None
    assert post_photo(client, path, face_photo()).status_code == 200  # the link still works


def test_the_faces_are_counted_in_the_refusal(client, pending):
    response = post_photo(client, phone_link(client, pending), two_faces(), "two.jpg")
    counted = re.search(r"照片中检测到 (\d+) 张人脸", response.get_data(as_text=True))
    assert counted and int(counted.group(1)) >= 2


def test_the_refusal_is_in_english_for_an_english_reader(client, pending):
    path = phone_link(client, pending)
    response = post_photo(client, path, landscape(), lang="en")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No face was found in the photo" in page and "没有检测到人脸" not in page


def test_one_face_passes_and_the_verifier_is_recorded(app, client, pending):
    response = post_photo(client, phone_link(client, pending), face_photo())
    assert response.status_code == 200 and "核验完成" in response.get_data(as_text=True)
    website = pending.websites[0]
    db.session.refresh(website)
    assert website.authenticity_verified_at is not None
    assert website.identity_check["verifier"] == "photo"
    assert website.identity_check["verdict"] == "passed"


def test_a_phone_sized_live_photo_taken_sideways_passes_and_is_stored_upright(app, client, pending):
    picture = phone_face_photo()
    assert Image.open(io.BytesIO(picture)).size == (4032, 3024)
    response = post_photo(client, phone_link(client, pending), picture)
    assert response.status_code == 200 and "核验完成" in response.get_data(as_text=True)
    material = db.session.scalar(select(Material).where(Material.kind == "live_photo"))
    image = stored(app, material)
    assert image.size == (3024, 4032) and (material.width, material.height) == (3024, 4032)
    assert not image.getexif()


def test_the_stored_live_photo_has_no_exif_or_gps(app, client, pending):
    post_photo(client, phone_link(client, pending), with_gps(face_photo()))
    material = db.session.scalar(select(Material).where(Material.kind == "live_photo"))
    image = stored(app, material)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info


def test_every_stored_material_loses_its_exif_and_gps_and_stands_upright(app, client, pending):
    picture = with_gps(blank("JPEG", size=(800, 600), colour=(90, 120, 200)), orientation=6)
    assert Image.open(io.BytesIO(picture)).getexif().get_ifd(GPS_IFD)  # it had a place
    response = upload_material(client, pending, "business_licence", picture, "licence.jpg")
    assert response.status_code == 200
    material = db.session.scalar(select(Material).where(Material.kind == "business_licence"))
    image = stored(app, material)
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info and "comment" not in image.info
    # orientation 6 (turned 90°): stored turned, as the camera meant it, and recorded so
    assert image.size == (600, 800) and (material.width, material.height) == (600, 800)
