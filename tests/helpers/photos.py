"""Pictures for the live-photo check: a face photo shipped in tests/data (public domain, see its
README), and pictures made here with Pillow (a landscape, the same face twice, a blank); and a
business licence for the OCR aid, drawn with a CJK font the machine has."""

from __future__ import annotations

import io
import random
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DATA = Path(__file__).resolve().parents[1] / "data"
FACE = DATA / "face_astronaut.jpg"  # Eileen Collins, NASA: public domain (tests/data/README.md)


def _encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def face_photo(fmt: str = "JPEG") -> bytes:
    """A photo of one person facing the camera (512 x 512)."""
    if fmt == "JPEG":
        return FACE.read_bytes()
    return _encoded(Image.open(FACE), fmt)


def phone_face_photo() -> bytes:
    """The face photo as a 12-megapixel phone saves a portrait (3024 x 4032 upright): the face
    filling the frame's width, the pixels stored sideways (4032 x 3024) with EXIF orientation 6."""
    portrait = Image.new("RGB", (3024, 4032), (120, 115, 110))
    portrait.paste(Image.open(FACE).convert("RGB").resize((2900, 2900)), (62, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to show it
    buffer = io.BytesIO()
    portrait.transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def two_faces(fmt: str = "JPEG") -> bytes:
    """Two people side by side (the face photo and its mirror image, 1024 x 512)."""
    face = Image.open(FACE).convert("RGB")
    both = Image.new("RGB", (1024, 512))
    both.paste(face, (0, 0))
    both.paste(face.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (512, 0))
    return _encoded(both, fmt)


def landscape(fmt: str = "JPEG") -> bytes:
    """Sky, a sun, hills and a meadow (800 x 600), with a little grain: no face anywhere."""
    image = Image.new("RGB", (800, 600))
    draw = ImageDraw.Draw(image)
    for y in range(600):
        sky = (100 + y // 6, 150 + y // 10, 230 - y // 4)
        draw.line([(0, y), (800, y)], fill=sky if y < 330 else (40 + y // 12, 120 + y // 10, 40))
    draw.polygon([(0, 360), (150, 230), (300, 330), (470, 190), (650, 320), (800, 250),
                  (800, 420), (0, 420)], fill=(90, 110, 120))  # fmt: skip
    draw.ellipse([620, 60, 700, 140], fill=(255, 240, 180))
    grain = random.Random(1)
    pixels = image.load()
    for _ in range(40_000):
        x, y = grain.randrange(800), grain.randrange(600)
        r, g, b = pixels[x, y]
        shift = grain.randint(-12, 12)
        pixels[x, y] = (r + shift, g + shift, b + shift)
    return _encoded(image.filter(ImageFilter.GaussianBlur(1)), fmt)


def blank(fmt: str = "PNG", size: tuple[int, int] = (800, 600), colour=(0, 0, 0)) -> bytes:
    """One colour all over (the black 800 x 600 PNG a live photo must not be)."""
    return _encoded(Image.new("RGB", size, colour), fmt)


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """A Simplified Chinese font the machine has (fc-match; Debian's fonts-noto-cjk in CI)."""
    found = subprocess.run(
        ["fc-match", "sans-serif:lang=zh-cn", "-f", "%{file}|%{index}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    path, index = found.split("|")
    return ImageFont.truetype(path, size, index=int(index or 0))


def licence(number: str, name: str) -> bytes:
    """A business licence as a phone photographs it: title, credit code, name, type, address."""
    image = Image.new("RGB", (1400, 900), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 1380, 880], outline=(170, 40, 40), width=8)
    draw.text((560, 60), "营业执照", font=cjk_font(70), fill=(170, 40, 40))
    body = cjk_font(40)
    for top, line in ((220, f"统一社会信用代码  {number}"), (320, f"名称  {name}"),
                      (400, "类型  有限责任公司（自然人投资或控股）"),
                      (480, "住所  浙江省杭州市西湖区文三路 1 号")):  # fmt: skip
        draw.text((100, top), line, font=body, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
