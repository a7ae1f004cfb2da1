"""What each submission sent for review, kept as it was: the application in its A2 shape
and the current materials. The review screen compares the last two (domain/review/changes.py)."""

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


def record(filing: Filing, application: Application) -> SubmissionSnapshot:
    """Keep the filing as the transition that just sent it for review left it (`application`: the
    filing as filings.to_application reads it), in the caller's transaction (flushed), stamped with
    the time it entered that state."""
    keys = {website.id: website_key(website) for website in filing.websites}
    domains = materials.certificate_domains(filing)  # a domain certificate names its domain
    snapshot = SubmissionSnapshot(
        filing_id=filing.id,
        submitted_at=filing.state_entered_at,
        application=asdict(application),
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
