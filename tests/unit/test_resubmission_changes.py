"""The diff of two submissions (domain/review/changes.compare): labels, never paths; websites by
their MIIT number; a material replaced only when its content differs."""

from __future__ import annotations

import copy

from domain.review.changes import compare
from models import SubmissionSnapshot

PERSON = {"name": "王小明", "id_type": "resident_id", "id_number": "330106199003071236",
          "mobile": "13800138000", "email": "wang@qinghe.cn"}  # fmt: skip
APPLICATION = {
    "subject": {
        "kind": "enterprise", "name": "杭州青禾科技有限公司", "certificate_type": "uscc",
        "certificate_number": "913301069755TH2H1L", "province": "33",
        "certificate_address": "杭州市文三路 1 号", "mailing_address": "杭州市文三路 1 号 5 楼",
        "icp_number": "浙ICP备2021000001号", "remark": "", "responsible_person": PERSON,
    },
    "websites": [
        {"name": "青禾科技官网", "icp_number": "浙ICP备2021000001号-1", "domains": ["qinghe.cn"],
         "ips": ["121.41.100.10"], "service_types": ["website"],
         "content_types": ["organization_portal"], "languages": ["zh-Hans"],
         "pre_approvals": [], "responsible_person": None},
    ],
}  # fmt: skip
MATERIALS = [
    {"kind": "id_front", "website": "", "material_id": 1, "storage_key": "a.png", "sha256": "aa"},
    {"kind": "domain_certificate", "website": "浙ICP备2021000001号-1", "material_id": 2,
     "storage_key": "b.png", "sha256": "bb"},
]  # fmt: skip


def snapshot(application=APPLICATION, materials=MATERIALS) -> SubmissionSnapshot:
    return SubmissionSnapshot(application=copy.deepcopy(application), materials=list(materials))


def same(text: str) -> str:
    return text


def test_an_unchanged_resubmission_has_no_changes():
    changes = compare(snapshot(), snapshot(), same)
    assert not changes and changes.fields == []


def test_changed_fields_are_named_by_their_labels_with_old_and_new_values():
    newer = copy.deepcopy(APPLICATION)
    newer["subject"]["mailing_address"] = "杭州市文三路 2 号"
    newer["subject"]["responsible_person"]["mobile"] = "13900139000"
    newer["websites"][0]["ips"] = ["121.41.100.10", "121.41.100.11"]
    newer["websites"][0]["responsible_person"] = dict(PERSON, name="李雷")
    changes = compare(snapshot(), snapshot(newer), same)
    assert [(c.label, c.old, c.new) for c in changes.fields] == [
        ("通信地址", "杭州市文三路 1 号 5 楼", "杭州市文三路 2 号"),
        ("主体负责人 · 手机号码", "13800138000", "13900139000"),
        ("青禾科技官网 · 网站 IP", "121.41.100.10", "121.41.100.10，121.41.100.11"),
        ("青禾科技官网 · 网站负责人", "同主体负责人",
         "李雷 · 330106199003071236 · 13800138000 · wang@qinghe.cn"),
    ]  # fmt: skip
    assert not any("." in c.label or "[" in c.label for c in changes.fields)  # never a path


def test_choices_are_shown_by_the_given_names():
    newer = copy.deepcopy(APPLICATION)
    newer["websites"][0]["languages"] = ["zh-Hans", "en"]
    names = {"zh-Hans": "中文简体", "en": "英语"}
    changes = compare(snapshot(), snapshot(newer), same,
                      lambda values, _field: "、".join(names[v] for v in values or []))  # fmt: skip
    assert [(c.label, c.old, c.new) for c in changes.fields] == [
        ("青禾科技官网 · 网站语言", "中文简体", "中文简体、英语")
    ]


def test_a_changed_id_type_or_subject_kind_is_shown_by_its_name_not_its_code():
    newer = copy.deepcopy(APPLICATION)
    newer["subject"]["kind"] = "institution"
    newer["subject"]["responsible_person"]["id_type"] = "passport"
    names = {"enterprise": "企业", "institution": "事业单位", "resident_id": "居民身份证",
             "passport": "护照"}  # fmt: skip
    changes = compare(snapshot(), snapshot(newer), same,
                      lambda values, _field: "、".join(names[v] for v in values or []))  # fmt: skip
    assert [(c.label, c.old, c.new) for c in changes.fields] == [
        ("主体性质", "企业", "事业单位"),
        ("主体负责人 · 证件类型", "居民身份证", "护照"),
    ]


def test_websites_added_and_removed_by_their_number():
    newer = copy.deepcopy(APPLICATION)
    newer["websites"][0] = dict(newer["websites"][0], icp_number="浙ICP备2021000001号-2",
                                name="青禾文档")  # fmt: skip
    changes = compare(snapshot(), snapshot(newer), same)
    assert changes.websites_added == ["青禾文档"]
    assert changes.websites_removed == ["青禾科技官网"]
    assert changes.fields == []


def test_a_material_is_replaced_when_its_content_differs():
    newer = [dict(MATERIALS[0], material_id=3, storage_key="c.png", sha256="cc"),
             dict(MATERIALS[1], material_id=4, storage_key="d.png")]  # fmt: skip
    changes = compare(snapshot(), snapshot(materials=newer), same)
    assert changes.materials_replaced == ["负责人身份证人像面"]  # the same image sent again: no
    assert changes.materials_added == changes.materials_removed == []


def test_materials_added_and_removed_are_named_with_their_website():
    changes = compare(snapshot(materials=MATERIALS[:1]), snapshot(materials=MATERIALS[1:]), same)
    assert changes.materials_added == ["青禾科技官网 · 域名证书（实名信息截图）"]
    assert changes.materials_removed == ["负责人身份证人像面"]


def test_the_first_submission_of_materials_changes_nothing_by_them():
    """After initial review the applicant sends every material for the first time: the card
    compares that with the initial submission and must not list them all as changes."""
    changes = compare(snapshot(materials=[]), snapshot(), same)
    assert changes.materials_added == [] and not changes
