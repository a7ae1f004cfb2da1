"""Materials and authenticity verification: uploads, serving files to their owner and reviewers
only, letter templates, the QR code and the one-time phone page."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from blueprints.access import (
    own_filing_or_404,
    posted_or_400,
    role_required,
    row_id,
    staff_may_open,
)
from domain import audit
from domain.filing import authenticity, filings, materials
from domain.filing.filings import FilingError
from domain.filing.materials import UploadRefused
from domain.lifecycle import workflow
from domain.lifecycle.states import Role
from domain.lifecycle.workflow import WorkflowError
from domain.ports import IdentityVerifier, Storage, Verdict
from domain.support.i18n import Message
from extensions import db
from forms.filing import ConfirmForm, PhotoForm, UploadForm
from i18n import gettext as _
from models import Filing, Material, Website
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("materials", __name__)


def _page(
    filing: Filing, status: int = 200, form: UploadForm | None = None, error: str = "",
    slot_errors: dict[tuple[str, int | None], str] | None = None,
):  # fmt: skip
    have = {(m.kind, m.website_id): m for m in materials.materials_of(filing)}
    requirements = materials.required_materials(filing)
    return render_template(
        "materials/page.html", filing=filing, requirements=requirements,
        have=have, form=form or UploadForm(), error=error, can_upload=workflow.accepts_uploads(filing.state),
        outstanding=_outstanding(filing), submit_form=ConfirmForm(data={"version": filing.version}),
        labels=materials.KIND_LABELS, named=filings.named_items(filing),
        rejection=filings.latest_rejection(filing) if workflow.is_rejected(filing.state) else None,
        hints=materials.province_hints(filing, current_policy().mail_address),
        examples={r.kind: materials.example_for(r.kind) for r in requirements},
        slot_errors=slot_errors or {}, links={w.id: _link(w) for w in filing.websites},
        persons={w.id: authenticity.photographer(w) for w in filing.websites},
    ), status  # fmt: skip


def _outstanding(filing: Filing) -> Message | None:
    """What keeps the materials from being sent, as the submit area says it (None: nothing)."""
    return materials.outstanding_message(
        len(materials.missing_materials(filing)), len(authenticity.unverified(filing))
    )


def _submit_area(filing: Filing) -> str:
    """The submit area again, out of band: appended to an htmx answer that changes what is
    missing, htmx swaps it in by its id (nothing where the page has none: uploads closed)."""
    if not workflow.accepts_uploads(filing.state):
        return ""
    return render_template(
        "materials/_submit.html", filing=filing, outstanding=_outstanding(filing), oob=True,
        submit_form=ConfirmForm(data={"version": filing.version}),
    )  # fmt: skip


@bp.get("/filings/<int:filing_id>/materials")
@role_required(Role.applicant)
def show(filing_id: int):
    """The required materials with what is uploaded, and the authenticity verification."""
    return _page(own_filing_or_404(filing_id))


@bp.post("/filings/<int:filing_id>/materials")
@role_required(Role.applicant)
def upload(filing_id: int):
    """Upload one material image (JPG/PNG, 4 MB, checked by content); htmx answers its row."""
    filing = own_filing_or_404(filing_id)
    form = posted_or_400(UploadForm())
    if not workflow.accepts_uploads(filing.state):
        return _page(filing, 409, form, _("当前状态下不能上传资料"))
    website = None
    if form.website_id.data:
        website = db.session.get(Website, row_id(form.website_id.data))
        if website is None or website.filing_id != filing.id:
            abort(404)
    upload_file = request.files.get("file")
    data = upload_file.read(materials.MAX_BYTES + 1) if upload_file else b""
    kind = form.kind.data or ""
    try:
        with transaction():
            material = materials.upload(
                _storage(), filing, kind, website, data,
                (upload_file.filename or "") if upload_file else "", current_user,
                named=filings.named_items(filing),
            )  # fmt: skip
    except UploadRefused as exc:
        error = exc.message.render(_)
        if kind not in materials.KIND_LABELS:
            return _page(filing, 422, form, error)
        if request.headers.get("HX-Request"):
            return _slot(filing, kind, website, error=error), 422
        return _page(
            filing, 422, form, slot_errors={(kind, website.id if website else None): error}
        )
    if request.headers.get("HX-Request"):
        return _slot(filing, kind, website, material=material) + _submit_area(filing)
    flash(_("已上传：%(name)s", name=_(materials.KIND_LABELS[material.kind])), "ok")
    return redirect(url_for("materials.show", filing_id=filing.id))


def _slot(filing: Filing, kind: str, website: Website | None, material=None, error: str = ""):
    """One material's slot, as htmx swaps it in after an upload or a refusal."""
    website_id = website.id if website else None
    requirement = next(
        (
            r
            for r in materials.required_materials(filing)
            if (r.kind, r.website_id) == (kind, website_id)
        ),
        materials.Requirement(kind, website_id, materials.KIND_LABELS[kind]),
    )
    return render_template(
        "materials/_slot.html", filing=filing, req=requirement, error=error, can_upload=True,
        material=material or materials.current_material(filing, kind, website_id),
    )  # fmt: skip


@bp.get("/filings/<int:filing_id>/materials/<int:material_id>")
@login_required
def file(filing_id: int, material_id: int):
    """A stored image, to the filing's owner and to staff only; never cached by the browser."""
    filing = db.session.get(Filing, filing_id)
    material = db.session.get(Material, material_id)
    if filing is None or material is None or material.filing_id != filing.id:
        abort(404)
    if filing.account_id != current_user.id and not (
        current_user.is_staff and staff_may_open(filing)
    ):
        abort(404)
    try:
        data = _storage().get(material.storage_key)
    except ValueError:
        abort(404)
    if data is None:
        abort(404)
    if current_user.is_staff:  # an ID scan is sensitive personal information: who saw it, when
        with transaction():
            audit.record(
                "material_viewed", current_user, filing=filing, internal=True,
                data={"material": material.id, "kind": material.kind},
            )  # fmt: skip
    headers = {"Cache-Control": "no-store, private", "Content-Disposition": "inline"}
    return current_app.response_class(data, mimetype=material.content_type, headers=headers)


@bp.get("/filings/<int:filing_id>/templates/<kind>")
@role_required(Role.applicant)
def letter_template(filing_id: int, kind: str):
    """A printable letter pre-filled with the filing's data, to sign and photograph."""
    filing = own_filing_or_404(filing_id)
    if kind not in ("commitment_letter", "authorisation_letter", "guangdong_commitment"):
        abort(404)
    return render_template(
        f"materials/letters/{kind}.html", filing=filing, website=_delegated_website(filing)
    )


def _delegated_website(filing: Filing) -> Website | None:
    """The website an authorisation letter is for (`?website=`), else the first whose responsible
    person is not the subject's: the letter names that person."""
    delegated = [w for w in filing.websites if w.responsible_person is not None]
    wanted = request.args.get("website", type=int)
    return next((w for w in delegated if w.id == wanted), delegated[0] if delegated else None)


@bp.post("/filings/<int:filing_id>/materials/submit")
@role_required(Role.applicant)
def submit_materials(filing_id: int):
    """Send materials and verification for re-review, once everything required is there."""
    filing = own_filing_or_404(filing_id)
    form = posted_or_400(ConfirmForm())
    try:
        with transaction():
            filings.submit_materials(
                filing, current_user, current_policy(), row_id(form.version.data)
            )
    except WorkflowError:  # a second click: already sent
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    except FilingError as exc:
        flash(exc.message.render(_), "bad")
        return redirect(url_for("materials.show", filing_id=filing.id))
    flash(_("资料已提交，等待复审"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))


# --- authenticity verification ----------------------------------------------------------------


def _storage() -> Storage:
    return runtime_adapters().storage


def _website_of(filing: Filing, website_id: int) -> Website:
    website = db.session.get(Website, website_id)
    if website is None or website.filing_id != filing.id:
        abort(404)
    return website


def public_link(path: str) -> str:
    """`path` under BEIAN_PUBLIC_URL, never under the request's Host or X-Forwarded-Host (which
    a client chooses)."""
    return current_policy().public_url.rstrip("/") + path


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code for `url` (no image file, no external service)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return Markup(svg[svg.index("<svg") :])


def _link(website: Website) -> dict[str, Any] | None:
    """The website's pending link (kept over a reload): remaining time, and the QR code when the
    token can be derived again; `seen` tells the polling whether anything it shows changed."""
    pending = authenticity.pending(website, current_policy().secret_key)
    if pending is None:
        return None
    url = public_link(url_for("materials.phone_page", token=pending.token)) if pending.token else ""
    return {
        "pending": pending, "url": url, "qr": qr_svg(url) if url else None,
        "seen": f"{int(pending.expires_at.timestamp())}-{pending.minutes_left}",
    }  # fmt: skip


def _authenticity(filing: Filing, website: Website) -> str:
    return render_template(
        "materials/_authenticity.html", filing=filing, website=website, link=_link(website),
        person=authenticity.photographer(website), can_upload=workflow.accepts_uploads(filing.state),
    )  # fmt: skip


@bp.post("/filings/<int:filing_id>/websites/<int:website_id>/authenticity")
@role_required(Role.applicant)
def start_authenticity(filing_id: int, website_id: int):
    """Issue a new QR code for the website responsible person's phone (30 minutes, one use; an
    earlier one stops working)."""
    filing = own_filing_or_404(filing_id)
    website = _website_of(filing, website_id)
    if not workflow.accepts_uploads(filing.state):
        abort(409)
    with transaction():
        authenticity.start(website, secret_key=current_policy().secret_key)
    if not request.headers.get("HX-Request"):  # without JavaScript: the whole page, with this QR
        return _page(filing)
    return _authenticity(filing, website)


@bp.get("/filings/<int:filing_id>/websites/<int:website_id>/authenticity")
@role_required(Role.applicant)
def authenticity_status(filing_id: int, website_id: int):
    """htmx polling of one website's verification: 204 while what it shows is unchanged, 286 (stop
    polling) once it is done."""
    filing = own_filing_or_404(filing_id)
    website = _website_of(filing, website_id)
    if authenticity.pending_session(website, _verifier()) is not None:  # the platform's verdict
        with transaction():
            authenticity.settle(website, _verifier())
    if website.authenticity_verified_at:  # the submit area follows: its hint may be gone
        return _authenticity(filing, website) + _submit_area(filing), 286
    link = _link(website)
    if link is not None and request.args.get("seen") == link["seen"]:
        return "", 204
    return _authenticity(filing, website), 200


def _verifier() -> IdentityVerifier:
    return runtime_adapters().identity


def _phone(website: Website, form: PhotoForm, error: str = "", status: int = 200, **extra: Any):
    """The phone page: the built-in photo form, or the platform's verification."""
    verifier = _verifier()
    return render_template(
        "materials/phone.html", website=website, filing=website.filing, form=form, error=error,
        person=authenticity.photographer(website), platform=verifier.name != authenticity.PHOTO,
        check=website.identity_check or {}, **extra,
    ), status  # fmt: skip


@bp.route("/verify/<token>", methods=["GET", "POST"])
def phone_page(token: str):
    """The responsible person's phone: confirm the filing and take a live photo, or begin the
    platform's face verification (no login)."""
    website = authenticity.website_for_token(token)
    if website is None:
        return render_template("materials/phone_done.html", expired=True), 404
    form = PhotoForm()
    error = ""
    if _verifier().name != authenticity.PHOTO:
        if request.method == "POST":
            abort(405)
        return _phone(website, form)
    if form.validate_on_submit():
        photo = request.files.get("photo")
        data = photo.read(materials.MAX_BYTES + 1) if photo else b""
        try:
            with transaction():
                name = (photo.filename or "") if photo else ""
                authenticity.confirm(website, data, name, _storage(), runtime_adapters().faces)
        except UploadRefused as exc:
            error = exc.message.render(_)
        except authenticity.LinkUsed:  # the same link posted at once: the first one counts
            return render_template("materials/phone_done.html", expired=True), 404
        else:
            return render_template("materials/phone_done.html", expired=False)
    return _phone(website, form, error, 422 if error else 200)


@bp.post("/verify/<token>/start")
def start_platform(token: str):
    """Begin the platform's face verification; the page then links to the platform's own page
    (a link, not a redirect: the pages' CSP lets forms post to this site only)."""
    website = authenticity.website_for_token(token)
    if website is None:
        return render_template("materials/phone_done.html", expired=True), 404
    form = posted_or_400(PhotoForm())
    back = public_link(url_for("materials.platform_return", token=token))
    try:
        with transaction():
            session = authenticity.begin(website, _verifier(), back)
    except authenticity.VerifierUnavailable as exc:
        return _phone(website, form, exc.message.render(_), 503)
    return _phone(website, form, go_to=session.url)


@bp.get("/verify/<token>/return")
def platform_return(token: str):
    """Where the platform sends the person back: its verdict, read from the platform."""
    website = authenticity.website_for_token(token)
    if website is None:
        return render_template("materials/phone_done.html", expired=True), 404
    with transaction():
        verdict = authenticity.settle(website, _verifier())
    if verdict == Verdict.passed:
        return render_template("materials/phone_done.html", expired=False)
    if verdict == Verdict.failed:
        return _phone(website, PhotoForm(), _("人脸核验未通过，请重新核验。"), 422)
    return _phone(website, PhotoForm(), waiting=verdict == Verdict.pending)
