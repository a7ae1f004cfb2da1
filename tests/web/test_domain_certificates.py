"""A website with several domains: one domain certificate per domain, on the materials page, in
what is still missing, on the review screen and in the reviewer's reason picker."""

from __future__ import annotations

import re

from domain.filing import materials
from domain.lifecycle.states import FilingState, Role
from domain.review.changes import compare
from extensions import db
from models import Material, SubmissionSnapshot, WebsiteDomain
from tests.helpers.wizard import image_bytes, upload_material


def two_domain_filing(make_filing, make_user, state: FilingState):
    owner = make_user(Role.applicant)
    filing = make_filing(state, owner=owner)
    filing.websites[0].domains.append(WebsiteDomain(domain="www.qinghe.cn"))
    db.session.commit()
    return filing, owner


def certificate_kinds(filing) -> dict[str, str]:
    return {
        kind: domain for kind, domain in materials.certificate_kinds(filing.websites[0]).items()
    }


def test_each_domain_of_a_website_has_its_own_certificate_slot(
    client, login, make_filing, make_user
):
    filing, owner = two_domain_filing(make_filing, make_user, FilingState.materials_pending)
    login(owner)
    page = client.get(f"/filings/{filing.id}/materials").get_data(as_text=True)
    labels = re.findall(r'aria-label="(域名证书（实名信息截图）[^"]*)"', page)
    assert labels == [
        "域名证书（实名信息截图）（qinghe.cn）",
        "域名证书（实名信息截图）（www.qinghe.cn）",
    ]
    assert "青禾科技官网 · www.qinghe.cn" in page


def test_a_certificate_for_one_domain_leaves_the_other_missing(
    client, login, make_filing, make_user
):
    filing, owner = two_domain_filing(make_filing, make_user, FilingState.materials_pending)
    login(owner)
    site = filing.websites[0].id
    first, second = certificate_kinds(filing)
    answer = upload_material(client, filing, first, image_bytes(), website_id=site)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert "域名证书（实名信息截图）（qinghe.cn）" in answer.get_data(as_text=True)
    missing = [(r.kind, r.domain) for r in materials.missing_materials(filing)]
    assert (second, "www.qinghe.cn") in missing and first not in dict(missing)


def test_a_certificate_not_tied_to_a_domain_of_the_website_is_refused(
    client, login, make_filing, make_user
):
    filing, owner = two_domain_filing(make_filing, make_user, FilingState.materials_pending)
    login(owner)
    site = filing.websites[0].id
    for kind in ("domain_certificate", "domain_certificate-999999"):
        answer = upload_material(client, filing, kind, image_bytes(), website_id=site)
        assert answer.status_code == 422
    assert not db.session.query(Material).filter_by(filing_id=filing.id).count()


def test_the_reviewer_sees_and_names_each_domain_certificate(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing, _owner = two_domain_filing(make_filing, make_user, FilingState.submitted)
    site = filing.websites[0].id
    for index, kind in enumerate(certificate_kinds(filing)):
        db.session.add(
            Material(filing_id=filing.id, website_id=site, kind=kind,
                     storage_key=f"cert-{index}", content_type="image/png", size_bytes=1,
                     width=800, height=600, sha256=f"{index}", uploaded_by_id=filing.account_id)
        )  # fmt: skip
    db.session.commit()
    login(reviewer)
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    captions = re.findall(r'<span class="cert-domain">([^<]+)</span>', page)
    assert captions == ["qinghe.cn", "www.qinghe.cn"]
    reasons = page.split('name="reasons-0-field"')[1].split("</select>")[0]
    for domain in ("qinghe.cn", "www.qinghe.cn"):
        assert f"青禾科技官网 · {domain} · 域名证书（实名信息截图）" in reasons


def test_what_changed_names_the_domain_of_a_replaced_certificate():
    site = "浙ICP备2021000001号-1"
    older = [{"kind": f"domain_certificate-{n}", "website": site, "material_id": n, "sha256": f"{n}",
              "domain": domain} for n, domain in ((1, "qinghe.cn"), (2, "www.qinghe.cn"))]  # fmt: skip
    newer = [older[0], dict(older[1], material_id=3, sha256="new")]
    application = {"subject": {}, "websites": [{"name": "青禾科技官网", "icp_number": site}]}
    changes = compare(
        SubmissionSnapshot(application=application, materials=older),
        SubmissionSnapshot(application=application, materials=newer),
        lambda text: text,
    )
    assert changes.materials_replaced == ["青禾科技官网 · 域名证书（实名信息截图） · www.qinghe.cn"]
