"""The applicant's side: their own filings."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import own_filing_or_404, role_required
from domain.states import Role
from extensions import db
from models import Filing

bp = Blueprint("applicant", __name__, url_prefix="/filings")


@bp.get("/")
@role_required(Role.applicant)
def list_filings():
    """The current applicant's filings, newest first."""
    filings = db.session.scalars(
        select(Filing).where(Filing.account_id == current_user.id).order_by(Filing.id.desc())
    ).all()
    return render_template("applicant/list.html", filings=filings)


@bp.get("/<int:filing_id>")
@role_required(Role.applicant)
def show_filing(filing_id: int):
    """One of the applicant's own filings with its public timeline."""
    filing = own_filing_or_404(filing_id)
    events = [event for event in filing.events if not event.internal]
    return render_template("applicant/detail.html", filing=filing, events=events)
