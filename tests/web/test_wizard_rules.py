"""The rules as an applicant meets them in the wizard (DOMAIN.md A2, A4, A5): the same
pre-check behind the forms, errors naming the field in words, warnings that never block, numbers
typed in full width folded, materials that follow the ID type and the province."""

from __future__ import annotations

import pytest

from domain.filing import materials
from domain.filing.filings import account_ips
from domain.operator import ip_pool
from extensions import db
from models import Filing, ProvinceRule
from tests.helpers.wizard import (
    QINGHE_USCC,
    SUBJECT_FORM,
    filing_id_from,
    walk_to_confirm,
    website_block,
)


def start(client, domain="qinghe.cn", cert=QINGHE_USCC, cert_type="uscc"):
    return client.post(
        "/filings/new",
        data={"certificate_type": cert_type, "certificate_number": cert, "domain": domain},
    )


@pytest.fixture
def draft(client, applicant):
    ip_pool.assign_free(applicant, 2)
    db.session.commit()
    response = start(client)
    return db.session.get(Filing, filing_id_from(response.headers["Location"]))


# --- step 1: bad input named as such, the registrable domain explained ------------------------


@pytest.mark.parametrize(
    ("cert_type", "cert", "domain", "shown"),
    [
        ("uscc", "913301069755TH2H1X", "qinghe.cn", "主体证件号码：统一社会信用代码校验位错误"),
        ("uscc", "12345", "qinghe.cn", "主体证件号码：统一社会信用代码应为 18 位"),
        ("resident_id", "330106800101123", "qinghe.cn", "主体证件号码：居民身份证号码应为 18 位"),
        ("uscc", QINGHE_USCC, "qinghe", "网站域名：不是可以注册的域名"),
        (
            "uscc",
            QINGHE_USCC,
            "qinghe.cn?from=ad",
            "网站域名：只填写域名本身",
        ),  # a pasted URL is cleaned
    ],
)
def test_type_step_names_a_typing_mistake_not_a_filing_road(
    client, applicant, cert_type, cert, domain, shown
):
    response = start(client, domain=domain, cert=cert, cert_type=cert_type)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and shown in page
    answer = page.rsplit("<form", 1)[1]  # the errors, not the step's introduction of every order
    assert "首次备案" not in answer and "新增网站备案" not in answer
    assert db.session.query(Filing).filter_by(account_id=applicant.id).count() == 0


def test_type_step_looks_up_the_registrable_domain_and_says_so(client, applicant):
    response = start(client, domain="ｗｗｗ.qinghe.cn", cert=" " + QINGHE_USCC.lower())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已按主域名 qinghe.cn 查询" in page
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    assert filing.verified_domain == "qinghe.cn"


# --- step 4: addresses, remark, folded numbers -------------------------------------------------


def test_addresses_in_another_province_are_refused_on_their_fields(client, draft):
    form = {
        **SUBJECT_FORM,
        "certificate_address": "北京市海淀区中关村大街 1 号",
        "mailing_address": "上海市浦东新区世纪大道 100 号",
    }
    response = client.post(f"/filings/{draft.id}/subject", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "证件住所：地址位于北京市" in page and "通信地址：地址位于上海市" in page
    db.session.refresh(draft)
    assert draft.subject.certificate_address == "北京市海淀区中关村大街 1 号"  # the draft is kept


def test_an_address_without_a_house_number_needs_a_remark(client, draft):
    form = {**SUBJECT_FORM, "mailing_address": "浙江省杭州市西湖区文三路"}
    refused = client.post(f"/filings/{draft.id}/subject", data=form)
    assert refused.status_code == 422
    assert "通信地址：通信地址没有详细门牌号" in refused.get_data(as_text=True)
    explained = client.post(
        f"/filings/{draft.id}/subject", data={**form, "remark": "园区内，无门牌号"}
    )
    assert explained.status_code == 302
    db.session.refresh(draft)
    assert draft.subject.remark == "园区内，无门牌号"


def test_the_inline_check_uses_the_same_rules(client, draft):
    form = {**SUBJECT_FORM, "mailing_address": "北京市海淀区 1 号"}
    answer = client.post(
        f"/filings/{draft.id}/subject/check?field=mailing_address",
        data=form,
        headers={"HX-Request": "true"},
    )
    assert "地址位于北京市" in answer.get_data(as_text=True)


def test_full_width_numbers_are_folded_before_they_are_checked_and_stored(client, draft):
    form = {
        **SUBJECT_FORM,
        "person_mobile": "１３８００１３８０００",
        "person_id_number": "３３０１０６１９９００３０７１２３６",
    }
    assert client.post(f"/filings/{draft.id}/subject", data=form).status_code == 302
    db.session.refresh(draft)
    person = draft.subject.responsible_person
    assert (person.mobile, person.id_number) == ("13800138000", "330106199003071236")


def test_an_over_long_value_is_a_field_error_and_the_draft_is_kept(client, draft):
    form = {**SUBJECT_FORM, "remark": "长" * 300, "person_mobile": "1" * 40}
    response = client.post(f"/filings/{draft.id}/subject", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "备注：最多 200 个字符" in page


def test_jiangsu_asks_for_local_mobiles(client, draft):
    db.session.get(ProvinceRule, "33").local_mobile_required = True  # Zhejiang, for this test
    db.session.commit()
    beijing = client.post(
        f"/filings/{draft.id}/subject", data={**SUBJECT_FORM, "person_mobile": "13800138000"}
    )
    assert beijing.status_code == 422
    assert "负责人手机号码：浙江要求使用本省手机号码，该号码归属北京" in beijing.get_data(
        as_text=True
    )
    unknown = client.post(
        f"/filings/{draft.id}/subject", data={**SUBJECT_FORM, "person_mobile": "19900000000"}
    )
    assert unknown.status_code == 302  # a warning for the reviewer, not a breach


# --- step 5: content types, warnings -------------------------------------------------------------


def test_content_types_are_asked_and_judged_by_the_subject(client, applicant, draft):
    client.post(f"/filings/{draft.id}/product", data={"ips": account_ips(applicant)})
    db.session.refresh(draft)
    page = client.get(f"/filings/{draft.id}/websites").get_data(as_text=True)
    assert "网站服务内容" in page and "单位门户网站" in page and "网上炒股/股票基金" in page
    empty = website_block(draft, 0, content_types=[])
    response = client.post(f"/filings/{draft.id}/websites", data=empty)
    assert response.status_code == 422
    assert "网站服务内容：请至少选择一项网站服务内容" in response.get_data(as_text=True)
    chosen = website_block(draft, 0, content_types=["organization_portal", "shopping"])
    assert client.post(f"/filings/{draft.id}/websites", data=chosen).status_code == 302
    db.session.refresh(draft)
    assert draft.websites[0].content_types == ["organization_portal", "shopping"]


def test_many_languages_warn_without_blocking(client, applicant):
    filing = walk_to_confirm(client, applicant)
    block = website_block(filing, 0, languages=["zh-Hans", "en"])
    assert client.post(f"/filings/{filing.id}/websites", data=block).status_code == 302
    again = client.get(f"/filings/{filing.id}/websites").get_data(as_text=True)
    assert "提示：网站语言不建议多选" in again
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert "预检通过" in confirm and "网站语言不建议多选" in confirm
    assert 'id="submit-filing">' in confirm and "disabled id=" not in confirm


def test_confirm_names_fields_in_words_never_paths_or_rule_ids(client, draft):
    page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
    assert "还有" in page
    assert "R-" not in page and "subject." not in page and "websites[" not in page
    assert "产品验证" in page


def test_a_rule_broken_by_registry_data_warns_the_reviewer_and_does_not_block(client, applicant):
    filing = walk_to_confirm(client, applicant)
    filing.websites[0].name = "中国青禾"  # as if the MIIT record held this name (R-N-2)
    db.session.commit()
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert "预检通过" in confirm
    assert "非政府主体的网站名称不能以“中国”开头" in confirm and "将由审核人员核实" in confirm


# --- materials by ID type and province ---------------------------------------------------------


def test_materials_follow_the_id_type_and_the_province(client, applicant):
    filing = walk_to_confirm(client, applicant)
    kinds = [materials.base_kind(r.kind) for r in materials.required_materials(filing)]
    assert "id_front" in kinds and "id_passport" not in kinds and "domain_certificate" in kinds
    filing.subject.responsible_person.id_type = "passport"
    db.session.get(ProvinceRule, filing.province).domain_certificate_required = False
    db.session.flush()
    kinds = [materials.base_kind(r.kind) for r in materials.required_materials(filing)]
    assert "id_passport" in kinds and "id_front" not in kinds and "id_back" not in kinds
    assert "domain_certificate" not in kinds
    filing.subject.responsible_person.id_type = "hk_mo_permit"
    db.session.flush()
    kinds = [r.kind for r in materials.required_materials(filing)]
    assert {"id_hk_mo_front", "id_hk_mo_back"} <= set(kinds)


def test_an_individual_sees_the_content_types_it_may_choose_first(app):
    from forms.filing import content_type_choices

    assert [c.value for c in content_type_choices("individual")][:2] == ["blog", "other"]
    assert [c.value for c in content_type_choices("enterprise")][:2] == [
        "instant_messaging",
        "search_engine",
    ]
    assert len(content_type_choices("enterprise")) == 24
