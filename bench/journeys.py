"""What the load test's people do, step by step over HTTP, and the data they type: shared by the
Locust users (bench/locustfile.py) and the driver (bench/load.py). No app import: this runs in
Locust's gevent process as a browser would, reading only the pages."""

from __future__ import annotations

import html
import io
import random
import re
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from stdnum.cn import ric, uscc

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Load-2026"
FILING_PASSWORD = "Load2026pw"
ADMIN_EMAIL = "admin@load.example.cn"
ADMIN_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
UPLOAD_STEPS = ("upload ", "live photo")  # the steps that post an image: their own p95 goal
STAGE_ACTIONS = {  # the reviewers' queues, the farthest first (an order nearer approval first)
    "bureau_review": "bureau_approve",
    "bureau_pending": "submit_to_bureau",
    "re_review": "re_approve",
    "submitted": "initial_approve",
}
STATE_LABELS = {"materials_pending": "待上传资料及核验", "sms_pending": "待短信核验",
                "approved": "接入成功"}  # fmt: skip


def reviewer_email(number: int) -> str:
    return f"reviewer{number}@load.example.cn"


def applicant_email(number: int, run: str) -> str:
    return f"applicant{number}-{run}@load.example.cn"


def address(n: int) -> str:
    """The n-th applicant's public address (100.64.0.0/10: never a real client's)."""
    return f"100.{64 + n // 65536 % 64}.{n // 256 % 256}.{n % 256}"


class Subject:
    """The n-th registry subject: an enterprise of Zhejiang with one website and one domain, and
    what its applicant types (a mobile and an ID number of its own: R-P-4)."""

    def __init__(self, n: int) -> None:
        self.n = n
        body = f"91330106LT{n:07d}"
        self.uscc = body + uscc.calc_check_digit(body)
        self.subject_number = f"浙ICP备2098{n:06d}号"
        self.name = f"负载测试科技有限公司{n}"
        self.website_number = f"{self.subject_number}-1"
        self.website_name = f"负载测试网站{n}"
        self.domain = f"load{n}.cn"
        self.registry_mobile = f"137{n:08d}"
        self.mobile = f"139{n:08d}"
        day = n % 28 + 1
        month = n // 28 % 12 + 1
        sequence = n // (28 * 12) % 1000
        body = f"3301061990{month:02d}{day:02d}{sequence:03d}"
        self.id_number = body + ric.calc_check_digit(body + "0")  # it skips the last character

    def subject_form(self) -> dict[str, str]:
        return {
            "certificate_address": f"浙江省杭州市西湖区文三路 {self.n} 号",
            "mailing_address": f"浙江省杭州市西湖区文三路 {self.n} 号 5 楼",
            "person_name": "王小明",
            "person_id_type": "resident_id",
            "person_id_number": self.id_number,
            "person_mobile": self.mobile,
            "person_email": f"p{self.n}@load.example.cn",
        }


# --- pictures ------------------------------------------------------------------------------------


def _photo(size: tuple[int, int], seed: int, grain: int, quality: int) -> bytes:
    """A phone photo of a card on a desk: a gradient, a card with text lines, sensor grain."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, (rng.randrange(90, 160), 110, 120))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):
        draw.line([(0, y), (width, y)], fill=(120 + y * 60 // height, 115, 110 + seed % 40))
    card = (width // 10, height // 8, width * 9 // 10, height * 7 // 8)
    draw.rounded_rectangle(card, radius=width // 40, fill=(235, 238, 242))
    for line in range(8):
        top = card[1] + (line + 1) * (card[3] - card[1]) // 10
        draw.rectangle([card[0] + width // 20, top, card[0] + rng.randrange(width // 3, width * 2 // 3),
                        top + height // 60], fill=(40, 40, 60))  # fmt: skip
    noise = Image.effect_noise(size, grain).convert("RGB")
    image = Image.blend(image, noise, 0.18).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


@cache
def card_jpeg(kind: str) -> bytes:
    """An ID-card-size material as a phone photographs it (1280 x 808, 85.6 x 54 mm at 380 dpi)."""
    return _photo((1280, 808), sum(map(ord, kind)), 40, 88)


@cache
def phone_jpeg(variant: int = 0) -> bytes:
    """A 12-megapixel phone photo of about 2 MB (4032 x 3024)."""
    return _photo((4032, 3024), 7 + variant, 40, 88)


@cache
def face_jpeg() -> bytes:
    """The live photo: one face (tests/data, public domain)."""
    return (ROOT / "tests" / "data" / "face_astronaut.jpg").read_bytes()


# --- reading pages -------------------------------------------------------------------------------


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r"X-CSRFToken&#34;: &#34;([^&]+)&#34;|\"X-CSRFToken\": \"([^\"]+)\"", page
    )
    if not match:
        raise ValueError("no CSRF token on the page")
    return next(group for group in match.groups() if group)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page
    )
    if not match:
        raise ValueError(f"no field {name}")
    return html.unescape(match.group(1))


def poll_url(page: str) -> str | None:
    match = re.search(r'hx-get="([^"]*/status\?version=\d+)"', page)
    return html.unescape(match.group(1)) if match else None


def shows(page: str, state: str) -> bool:
    return STATE_LABELS[state] in page


def upload_slots(page: str) -> list[tuple[str, str]]:
    """(kind, website_id) of each upload form on the materials page."""
    slots = []
    for form in re.findall(r"<form[^>]*upload-form.*?</form>", page, re.S):
        slots.append((hidden(form, "kind"), hidden(form, "website_id")))
    return slots


def multipart(fields: dict[str, str], file_field: str, data: bytes, name: str):
    """requests' `files` argument: the form's fields and one JPEG."""
    return {key: (None, value) for key, value in fields.items()} | {
        file_field: (name, data, "image/jpeg")
    }
