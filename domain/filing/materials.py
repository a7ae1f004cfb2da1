"""Uploaded materials (上传资料, R-M-3, R-M-5, R-M-6): which are required, and safe storage.

An upload is accepted only if Pillow reads it as a JPEG or PNG by its content (never by its name
or declared type), it is at most 4 MB and of a sane pixel size; it is then turned upright and
re-encoded (dropping the metadata, EXIF and GPS included, and anything hidden after the image) and
stored under a random key outside static/.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.filing import readings
from domain.lifecycle.states import NEW_FILINGS
from domain.lifecycle.workflow import CHANGES
from domain.ports import Storage
from domain.rulebook.filing_type import unicode_domain
from domain.support.i18n import N_, Labels, Message
from extensions import db
from models import AuditEvent, Filing, Material, ProvinceRule, User, Website, WebsiteDomain

MAX_BYTES = 4 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 300, 8000
# A 20 MP phone photo (5472 x 3648) passes; a header claiming more is refused before decoding
# (a 4.9 KB 1-bit PNG of 6000 x 6600 cost seconds of CPU and 200 MB per worker).
MAX_PIXELS = 20_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}

# The identity document's pages by its type (R-M-3): a passport has one, the others two.
ID_PAGES = {
    "resident_id": (("id_front", N_("身份证人像面")), ("id_back", N_("身份证国徽面"))),
    "passport": (("id_passport", N_("护照个人资料页")),),
    "hk_mo_permit": (("id_hk_mo_front", N_("港澳居民来往内地通行证正面")),
                     ("id_hk_mo_back", N_("港澳居民来往内地通行证背面"))),
    "tw_permit": (("id_tw_front", N_("台湾居民来往大陆通行证正面")),
                  ("id_tw_back", N_("台湾居民来往大陆通行证背面"))),
    "hk_mo_tw_residence": (("id_residence_front", N_("港澳台居民居住证人像面")),
                           ("id_residence_back", N_("港澳台居民居住证国徽面"))),
    "foreign_permanent_residence": (("id_foreign_front", N_("外国人永久居留身份证人像面")),
                                    ("id_foreign_back", N_("外国人永久居留身份证国徽面"))),
}  # fmt: skip
SUBJECT_PERSON_LABELS = {
    "id_front": N_("负责人身份证人像面"), "id_back": N_("负责人身份证国徽面"),
    "id_passport": N_("负责人护照个人资料页"),
    "id_hk_mo_front": N_("负责人港澳居民来往内地通行证正面"),
    "id_hk_mo_back": N_("负责人港澳居民来往内地通行证背面"),
    "id_tw_front": N_("负责人台湾居民来往大陆通行证正面"),
    "id_tw_back": N_("负责人台湾居民来往大陆通行证背面"),
    "id_residence_front": N_("负责人港澳台居民居住证人像面"),
    "id_residence_back": N_("负责人港澳台居民居住证国徽面"),
    "id_foreign_front": N_("负责人外国人永久居留身份证人像面"),
    "id_foreign_back": N_("负责人外国人永久居留身份证国徽面"),
}  # fmt: skip
WEBSITE_PERSON = "site_person_"  # the kind of a website person's page: this prefix + the page
DOMAIN_CERTIFICATE = "domain_certificate"
# A domain's own certificate is the kind DOMAIN_CERTIFICATE + this + the WebsiteDomain's id: one
# slot per domain of a website (the id stays while the domain stays on the website).
PER_DOMAIN = "-"


def base_kind(kind: str) -> str:
    """The kind a material's label and example belong to: domain_certificate for every domain's
    certificate (domain_certificate-17)."""
    return kind.partition(PER_DOMAIN)[0]


def certificate_kind(domain: WebsiteDomain) -> str:
    """The kind of one domain's certificate."""
    return f"{DOMAIN_CERTIFICATE}{PER_DOMAIN}{domain.id}"


def certificate_kinds(website: Website) -> dict[str, str]:
    """The website's certificate kinds and the domain each is for, as people read it (a website
    without domains yet: one certificate for the website)."""
    if not website.domains:
        return {DOMAIN_CERTIFICATE: ""}
    return {certificate_kind(d): unicode_domain(d.domain) for d in website.domains}


def certificate_domains(filing: Filing) -> dict[str, str]:
    """Every certificate kind of the filing's websites and its domain (for captions)."""
    return {
        kind: name for w in filing.websites for kind, name in certificate_kinds(w).items() if name
    }


class KindLabels(dict[str, str]):
    """The label (msgid) of each material kind; a domain's certificate reads as its base kind."""

    def __missing__(self, kind: str) -> str:
        if PER_DOMAIN in kind and base_kind(kind) in self:
            return self[base_kind(kind)]
        raise KeyError(kind)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and dict.__contains__(self, base_kind(kind))

    def get(self, kind: str, default: Any = None) -> Any:
        return self[kind] if kind in self else default


KIND_LABELS = KindLabels({
    "business_licence": N_("营业执照或单位证件"),
    **SUBJECT_PERSON_LABELS,
    "domain_certificate": N_("域名证书（实名信息截图）"),
    "commitment_letter": N_("ICP备案信息真实性承诺书"),
    "guangdong_commitment": N_("互联网信息服务备案承诺书（广东）"),
    "authorisation_letter": N_("授权书"),
    "pre_approval": N_("前置审批文件"),
    "site_person_id_front": N_("网站负责人身份证人像面"),
    "site_person_id_back": N_("网站负责人身份证国徽面"),
    "site_person_id_passport": N_("网站负责人护照个人资料页"),
    "site_person_id_hk_mo_front": N_("网站负责人港澳居民来往内地通行证正面"),
    "site_person_id_hk_mo_back": N_("网站负责人港澳居民来往内地通行证背面"),
    "site_person_id_tw_front": N_("网站负责人台湾居民来往大陆通行证正面"),
    "site_person_id_tw_back": N_("网站负责人台湾居民来往大陆通行证背面"),
    "site_person_id_residence_front": N_("网站负责人港澳台居民居住证人像面"),
    "site_person_id_residence_back": N_("网站负责人港澳台居民居住证国徽面"),
    "site_person_id_foreign_front": N_("网站负责人外国人永久居留身份证人像面"),
    "site_person_id_foreign_back": N_("网站负责人外国人永久居留身份证国徽面"),
    "live_photo": N_("真实性核验照片"),
})  # fmt: skip


# The example picture of an acceptable photo (示例图) per material, in static/examples/, with what
# makes a photo acceptable; a website person's pages show the same as the subject person's.
CARD_CAPTION = N_(
    "证件原件的彩色照片：四角完整、文字和号码清晰、无反光、无遮挡；不接受复印件、黑白件或屏幕翻拍。"
)
LETTER_CAPTION = N_(
    "打印后手写签字（单位须加盖公章），整页拍摄彩色照片：四角完整、字迹和印章清晰、无涂改。"
)
EXAMPLES: dict[str, tuple[str, str]] = {
    "business_licence": ("business_licence.svg", N_("营业执照或单位证件原件的彩色照片：四角完整、名称和统一社会信用代码清晰、无遮挡。")),
    "id_front": ("id_front.svg", CARD_CAPTION), "id_back": ("id_back.svg", CARD_CAPTION),
    "id_passport": ("passport.svg", CARD_CAPTION),
    "id_hk_mo_front": ("permit_front.svg", CARD_CAPTION), "id_hk_mo_back": ("permit_back.svg", CARD_CAPTION),
    "id_tw_front": ("permit_front.svg", CARD_CAPTION), "id_tw_back": ("permit_back.svg", CARD_CAPTION),
    "id_residence_front": ("id_front.svg", CARD_CAPTION), "id_residence_back": ("id_back.svg", CARD_CAPTION),
    "id_foreign_front": ("id_front.svg", CARD_CAPTION), "id_foreign_back": ("id_back.svg", CARD_CAPTION),
    "domain_certificate": ("domain_certificate.svg", N_("域名证书或注册商网站的实名信息截图：域名、持有者名称清晰完整。")),
    "commitment_letter": ("letter_signed.svg", LETTER_CAPTION),
    "authorisation_letter": ("letter_signed.svg", LETTER_CAPTION),
    "guangdong_commitment": ("letter_signed.svg", N_("打印后由法定代表人或个人手写签字（不得以印章代替），整页拍摄彩色照片：四角完整、字迹清晰。")),
    "pre_approval": ("pre_approval.svg", N_("前置审批文件原件的彩色照片：四角完整、文号和印章清晰。")),
}  # fmt: skip


def example_for(kind: str) -> tuple[str, str] | None:
    """The example picture (a file in static/examples/) and its caption (msgid) for a kind."""
    return EXAMPLES.get(base_kind(kind).removeprefix(WEBSITE_PERSON))


def province_hints(filing: Filing, mail_address: str) -> list[Message]:
    """What the filing's province rule asks of the materials, in the applicant's words; only what
    the rule row holds (its free-text notes are for the provider's staff)."""
    rule = db.session.get(ProvinceRule, filing.province) if filing.province else None
    if rule is None:
        return []
    hints = []
    if rule.domain_certificate_required:
        hints.append(Message(N_("本省要求上传域名证书（实名信息截图）。")))
    else:
        hints.append(Message(N_("本省无需上传域名证书。")))
    if rule.mail_required:
        items = rule.mail_items.strip() or Labels(
            (N_("ICP备案信息真实性承诺书原件（签字，单位须盖章）；以管局要求为准。"),)
        )
        hints.append(Message(N_("本省要求邮寄资料原件：%(items)s"), {"items": items}))
        address = mail_address.strip() or Labels((N_("请联系客服获取邮寄地址"),))
        hints.append(Message(N_("邮寄地址：%(address)s"), {"address": address}))
    if rule.local_mobile_required:
        hints.append(Message(N_("本省要求负责人的手机号码为本省号码。")))
    if rule.copyright_footer:
        hints.append(Message(N_("本省要求网站页脚显示备案号（链接到工信部网站）和版权所有者。")))
    if rule.sms_required:
        hints.append(Message(N_("复审通过后，负责人须完成工信部短信核验。")))
    return hints


def id_pages(id_type: str | None) -> tuple[str, ...]:
    """The kinds of the identity document's pages to upload for an ID type (resident ID when the
    type is unknown)."""
    return tuple(kind for kind, _label in ID_PAGES.get(id_type or "", ID_PAGES["resident_id"]))


class UploadRefused(DomainError):
    """The file is not accepted."""


@dataclass(frozen=True)
class Requirement:
    kind: str
    website_id: int | None
    label: str  # msgid
    detail: str = ""  # what it is for (a website name, a category)
    domain: str = ""  # a domain certificate's domain, as people read it


def required_materials(filing: Filing) -> list[Requirement]:
    """The set for the subject kind, the persons' ID types and the province (QC-access, B 3.8
    R-M-3/R-M-5/R-M-6): a passport holder uploads its data page, a permit holder both sides; the
    domain certificate only where the province asks for it (A1 v2: 视管局要求), and for every
    website of a new filing (A8: its domains are new), one for each of the website's domains."""
    if filing.kind in CHANGES:
        return _change_materials(filing)
    subject = filing.subject
    person = subject.responsible_person
    province_rule = db.session.get(ProvinceRule, filing.province)
    domain_certificate_required = (
        province_rule is None
        or province_rule.domain_certificate_required
        or filing.kind in NEW_FILINGS  # every new domain, whatever the province (A8, R-M-7)
    )
    needs = []
    if subject.kind != "individual":
        needs.append(Requirement("business_licence", None, KIND_LABELS["business_licence"]))
    needs += [
        Requirement(kind, None, KIND_LABELS[kind])
        for kind in id_pages(person.id_type if person else None)
    ]
    if filing.province == "44":
        needs.append(Requirement("guangdong_commitment", None, KIND_LABELS["guangdong_commitment"]))
    for website in filing.websites:
        if domain_certificate_required:
            needs += [
                Requirement(
                    kind, website.id, KIND_LABELS[kind], _joined(website.name, domain), domain
                )
                for kind, domain in certificate_kinds(website).items()
            ]
        per_site = ["commitment_letter"]
        if website.responsible_person is not None:
            pages = id_pages(website.responsible_person.id_type)
            per_site += [WEBSITE_PERSON + page for page in pages] + ["authorisation_letter"]
        if website.pre_approvals:
            per_site.append("pre_approval")
        needs += [Requirement(k, website.id, KIND_LABELS[k], website.name) for k in per_site]
    return needs


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def _change_materials(filing: Filing) -> list[Requirement]:
    """A7 v3: what a change of subject or website needs: the new licence where a unit's name
    changed, the new person's ID where a responsible person changed (and the website's
    authorisation letter for a website's own new person)."""
    items = set(filing.changed_items or ())
    subject = filing.subject
    needs = []
    if "subject_name" in items and subject.kind != "individual":
        needs.append(Requirement("business_licence", None, KIND_LABELS["business_licence"]))
    if "subject_person" in items:
        person = subject.responsible_person
        needs += [
            Requirement(kind, None, KIND_LABELS[kind])
            for kind in id_pages(person.id_type if person else None)
        ]
    if "website_person" in items:
        for website in filing.websites:
            if website.responsible_person is None:
                continue  # the subject's person: verified as the subject's
            kinds = [WEBSITE_PERSON + page for page in id_pages(website.responsible_person.id_type)]
            needs += [
                Requirement(k, website.id, KIND_LABELS[k], website.name)
                for k in (*kinds, "authorisation_letter")
            ]
    return needs


def missing_materials(filing: Filing) -> list[Requirement]:
    """Required materials not uploaded yet."""
    have = {(m.kind, m.website_id) for m in materials_of(filing)}
    return [r for r in required_materials(filing) if (r.kind, r.website_id) not in have]


def outstanding_message(missing: int, unverified: int) -> Message | None:
    """What still keeps the materials from being sent, naming only what is missing (never "0
    项"): the count of materials not uploaded, of websites not verified, or both; None: nothing."""
    if missing and unverified:
        return Message(
            N_("还有 %(m)s 项资料未上传、%(v)s 个网站未完成真实性核验"),
            {"m": missing, "v": unverified},
        )
    if missing:
        return Message(N_("还有 %(m)s 项资料未上传"), {"m": missing})
    if unverified:
        return Message(N_("还有 %(v)s 个网站未完成真实性核验"), {"v": unverified})
    return None


def materials_of(filing: Filing) -> list[Material]:
    """The filing's current materials (the newest upload of each kind and website)."""
    rows = db.session.scalars(
        select(Material).where(Material.filing_id == filing.id).order_by(Material.id)
    ).all()
    latest: dict[tuple[str, int | None], Material] = {}
    for material in rows:
        latest[(material.kind, material.website_id)] = material
    return list(latest.values())


# --- what a re-review rejection names (DOMAIN.md A6 v2) -----------------------------------------


def material_field(kind: str, website_index: int | None) -> str:
    """The field path of a material in a reviewer's reasons: materials.id_front,
    websites[0].materials.commitment_letter."""
    return (
        f"materials.{kind}"
        if website_index is None
        else f"websites[{website_index}].materials.{kind}"
    )


def authenticity_field(website_index: int) -> str:
    """The field path of a website's authenticity verification in a reviewer's reasons."""
    return f"websites[{website_index}].authenticity"


@dataclass(frozen=True)
class Named:
    """What the last re-review rejection asks the applicant to redo, and when it said so."""

    materials: frozenset[tuple[str, int | None]]  # (kind, website id)
    websites: frozenset[int]  # ids of websites whose authenticity check is to be redone
    at: datetime | None


def named_in_rejection(filing: Filing, event: AuditEvent | None) -> Named:
    """The materials and authenticity checks that the rejection `event` names by their fields."""
    if event is None:
        return Named(frozenset(), frozenset(), None)
    fields = {reason.get("field", "") for reason in event.data.get("reasons", [])}
    kinds: set[tuple[str, int | None]] = set()
    websites: set[int] = set()
    for position, website in enumerate(filing.websites):
        if authenticity_field(position) in fields:
            websites.add(website.id)
    for requirement in required_materials(filing):
        if material_field(requirement.kind, _index_of(filing, requirement.website_id)) in fields:
            kinds.add((requirement.kind, requirement.website_id))
    return Named(frozenset(kinds), frozenset(websites), event.created_at)


def _index_of(filing: Filing, website_id: int | None) -> int | None:
    ids = [website.id for website in filing.websites]
    return ids.index(website_id) if website_id in ids else None


def reopen_named(filing: Filing, event: AuditEvent) -> Named:
    """On a re-review rejection: the named websites must be verified again (a new QR code)."""
    named = named_in_rejection(filing, event)
    for website in filing.websites:
        if website.id in named.websites:
            website.authenticity_verified_at = None
            website.authenticity_token_hash = ""
            website.authenticity_expires_at = None
            website.identity_check = {}
    db.session.flush()
    return named


def unchanged_named(filing: Filing, named: Named) -> list[Requirement]:
    """The named materials not uploaded again since the rejection named them."""
    if named.at is None:
        return []
    since = named.at
    newest = {(m.kind, m.website_id): m.created_at for m in materials_of(filing)}
    return [
        requirement
        for requirement in required_materials(filing)
        if (requirement.kind, requirement.website_id) in named.materials
        and newest.get((requirement.kind, requirement.website_id), since) <= since
    ]


def inspect_image(data: bytes) -> tuple[Image.Image, str]:
    """Open an upload as an image by its content; return it (fully decoded) and its format.

    :raises UploadRefused: empty, too large, not a JPEG/PNG, damaged, or of a bad pixel size.
    """
    if not data:
        raise UploadRefused(Message(N_("文件为空")))
    if len(data) > MAX_BYTES:
        raise UploadRefused(Message(N_("文件超过 4 MB")))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format
            width, height = probe.size
            if image_format not in FORMATS:
                raise UploadRefused(Message(N_("只能上传 JPG 或 PNG 图片")))
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise UploadRefused(
                    Message(
                        N_("图片像素过大（每边不超过 %(max)s 像素，合计不超过 %(mp)s 万像素）"),
                        {"max": MAX_SIDE, "mp": MAX_PIXELS // 10_000},
                    )
                )
            if min(width, height) < MIN_SIDE:
                raise UploadRefused(
                    Message(
                        N_("图片太小，每边至少 %(min)s 像素，请上传清晰的彩色照片"),
                        {"min": MIN_SIDE},
                    )
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
            # upright as the camera meant it: the orientation tag goes with the rest of the metadata
            # (in place: a copy of a 12-megapixel photo is 36 MB more per upload)
            ImageOps.exif_transpose(image, in_place=True)
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise UploadRefused(Message(N_("文件不是有效的 JPG 或 PNG 图片，或已损坏"))) from None
    return image, image_format


def reencode(image: Image.Image, image_format: str) -> bytes:
    """The image written anew: no metadata, no trailing bytes, colour kept."""
    out = io.BytesIO()
    if image_format == "JPEG":
        # comment=b"": Pillow would copy the original's COM segment (free text) into the new file;
        # no optimize: its second pass over the picture doubled the cost for 5 % fewer bytes
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, comment=b"")
    else:
        if image.mode == "1":
            image = image.convert("L")  # a byte per pixel, not four
        elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Picture:
    """An accepted upload as it is stored: re-encoded (reencode()), its format, its pixel size."""

    data: bytes
    format: str
    width: int
    height: int

    @classmethod
    def of(cls, image: Image.Image, image_format: str) -> Picture:
        """The inspected image (inspect_image()) re-encoded; its pixels are not kept."""
        return cls(reencode(image, image_format), image_format, image.width, image.height)


def _refuse_unknown_kind(kind: str, website: Website | None) -> None:
    if kind not in KIND_LABELS or (
        base_kind(kind) == DOMAIN_CERTIFICATE
        and (website is None or kind not in certificate_kinds(website))
    ):  # a domain's certificate only for a domain of its website
        raise UploadRefused(Message(N_("未知的资料类型")))


def store_upload(
    store: Storage, filing: Filing, kind: str, website: Website | None, picture: Picture,
    original_name: str, uploader: User, unless_same_as: Material | None = None,
) -> Material:  # fmt: skip
    """Store an accepted upload (Picture.of() an inspected image); record it (flushed, not
    committed). When it is the same image as `unless_same_as` (the same file sent twice), that row
    is returned instead.

    :raises UploadRefused: an unknown kind.
    """
    _refuse_unknown_kind(kind, website)
    digest = hashlib.sha256(picture.data).hexdigest()
    if unless_same_as is not None and unless_same_as.sha256 == digest:
        return unless_same_as
    content_type, extension = FORMATS[picture.format]
    key = f"{secrets.token_hex(16)}.{extension}"
    store.put(key, picture.data, content_type)
    material = Material(
        filing_id=filing.id, website_id=website.id if website else None, kind=kind,
        original_name=_safe_name(original_name), storage_key=key, content_type=content_type,
        size_bytes=len(picture.data), width=picture.width, height=picture.height,
        sha256=digest, uploaded_by_id=uploader.id,
    )  # fmt: skip
    db.session.add(material)
    db.session.flush()
    readings.queue(material)  # the reviewers' OCR aid reads licences and ID pages later
    return material


def upload(
    store: Storage, filing: Filing, kind: str, website: Website | None, data: bytes,
    original_name: str, uploader: User, named: Named | None = None,
) -> Material:  # fmt: skip
    """The applicant's upload of a material: checked and re-encoded (inspect_image(), Picture),
    stored as store_upload() does, and audited. The same image sent again while it is the current
    one (a double pick, a second click) is one upload, except for a material that a rejection
    (`named`) asks to replace: the image it rejected, sent again, is refused in words.

    :raises UploadRefused: an unknown kind; see inspect_image(); or the rejected image sent again.
    """
    _refuse_unknown_kind(kind, website)  # before the image is looked at
    # decoded and re-encoded before the filing's row is locked, and the pixels let go
    picture = Picture.of(*inspect_image(data))
    _lock(filing)
    website_id = website.id if website else None
    current = current_material(filing, kind, website_id)
    material = store_upload(
        store, filing, kind, website, picture, original_name, uploader, unless_same_as=current
    )
    if (
        material is current
        and named is not None
        and named.at is not None
        and ((kind, website_id) in named.materials and current.created_at <= named.at)
    ):
        raise UploadRefused(
            Message(N_("这张图片与审核驳回的图片相同，请按驳回原因重新拍摄或更换图片后再上传"))
        )
    if material is not current:
        details: dict[str, Any] = {"kind": kind, "material": material.id}
        if website is not None:  # the review screen's trail names the website's material
            details |= {"website": website.id, "website_name": website.name}
        audit.record("upload", uploader, filing=filing, data=details)
    return material


def current_material(filing: Filing, kind: str, website_id: int | None) -> Material | None:
    """The newest upload of one material of the filing, if any."""
    return db.session.scalar(
        select(Material)
        .where(Material.filing_id == filing.id, Material.kind == kind)
        .where(
            Material.website_id.is_(None)
            if website_id is None
            else Material.website_id == website_id
        )
        .order_by(Material.id.desc())
        .limit(1)
    )


def _lock(filing: Filing) -> None:
    """Uploads to one filing wait for each other (PostgreSQL: the filing's row lock), so that two
    requests with the same file see each other's row."""
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())


def _safe_name(name: str) -> str:
    """The uploaded file's name for display only: no path, no control characters, 100 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:100]
