"""Where an applicant fixes a field a reason or the pre-check names: the step and the element."""

from __future__ import annotations

import pytest

from domain.rulebook.field_labels import field_place


@pytest.mark.parametrize(
    ("path", "place"),
    [
        ("product_ips", ("product", "ips")),
        ("password", ("password", "password")),
        ("subject.mailing_address", ("subject", "mailing_address")),
        ("subject.certificate_address", ("subject", "certificate_address")),
        ("subject.responsible_person", ("subject", "person_name")),
        ("subject.responsible_person.mobile", ("subject", "person_mobile")),
        ("subject.responsible_person.id_number", ("subject", "person_id_number")),
        ("subject.name", ("subject", "subject-name")),
        ("subject.icp_number", ("subject", "subject-icp_number")),
        ("websites[0].content_types", ("websites", "websites-0-content_types")),
        ("websites[2].ips[1]", ("websites", "websites-2-ips")),
        ("websites[1].responsible_person", ("websites", "websites-1-person_mode")),
        ("websites[1].responsible_person.email", ("websites", "websites-1-person_email")),
        ("websites[0].pre_approvals[0].number", ("websites", "websites-0-pre_approvals-0-number")),
        ("websites[0].domains[3]", ("websites", "websites-0-domains")),
        ("websites[0].name", ("websites", "websites-0-name")),
        ("materials", ("materials", "")),
        ("materials.id_front", ("materials", "")),
        ("websites[0].materials.commitment_letter", ("materials", "")),
        ("websites[1].authenticity", ("materials", "")),
        ("websites[0].unknown_part", ("websites", "")),
        ("", None),
        ("nonsense", None),
        ("websites.name", None),
    ],
)
def test_a_field_path_names_its_step_and_element(path, place):
    assert field_place(path) == place
