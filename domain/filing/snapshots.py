"""What each submission sent for review, kept as it was: the application in its A2 shape (with
the websites' remarks) and the current materials. The review screen compares the last two (domain/review/changes.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from domain.filing import materials
from domain.rulebook.application import Application
from extensions import db
from models import Filing, SubmissionSnapshot, Website


def website_key(website: Website | dict[str, Any]) -> str:
    """What names a website across submissions: its MIIT website number (locked from the
    registry), else its name."""
    if isinstance(website, dict):
        return str(website.get("icp_number") or website.get("name") or "")
    return website.icp_number or website.name


def document(filing: Filing, application: Application) -> dict[str, Any]:
    """The application as the app keeps it (a submission, a record before its change): its A2
    shape, each website with its remark (备注), which the A2 document of the API does not carry."""
    kept = asdict(application)
    for site, website in zip(kept["websites"], filing.websites, strict=False):
        site["remark"] = website.remark or ""
    return kept


def record(filing: Filing, application: Application) -> SubmissionSnapshot:
    """Keep the filing as the transition that just sent it for review left it (`application`: the
    filing as filings.to_application reads it), in the caller's transaction (flushed), stamped with
    the time it entered that state."""
    keys = {website.id: website_key(website) for website in filing.websites}
    domains = materials.certificate_domains(filing)  # a domain certificate names its domain
    snapshot = SubmissionSnapshot(
        filing_id=filing.id,
        submitted_at=filing.state_entered_at,
        application=document(filing, application),
        materials=[
            {
                "kind": material.kind,
                "website": keys.get(material.website_id, "") if material.website_id else "",
                "material_id": material.id,
                "storage_key": material.storage_key,
                "sha256": material.sha256,
                **({"domain": domains[material.kind]} if material.kind in domains else {}),
            }
            for material in materials.materials_of(filing)
        ],
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot
