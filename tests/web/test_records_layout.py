"""The records page and the change form read as what they are: filing another website is a form
of its own (a legend, a labelled box, one button), apart from the orders on the records under their
own heading; on the change form each website is a block and its new IPs are set in below it under
a legend that names the website."""

from __future__ import annotations

import re

import pytest


def _form_with(page: str, marker: str) -> str:
    """The <form …>…</form> of the page that holds `marker`."""
    at = page.index(marker)
    start = page.rindex("<form", 0, at)
    return page[start : page.index("</form>", at) + len("</form>")]


@pytest.mark.parametrize(
    ("language", "legend", "heading"),
    [("zh_Hans_CN", "接入该主体的另一个网站", "变更、取消接入或注销"),
     ("en", "File another website of this subject", "Change, cancel access or deregister")],
)  # fmt: skip
def test_the_domain_box_is_a_form_of_its_own_apart_from_the_order_buttons(
    client, applicant, held, language, legend, heading
):
    client.get(f"/lang/{language}")
    page = client.get("/records/").get_data(as_text=True)
    form = _form_with(page, 'name="domain"')
    assert f"<legend>{legend}</legend>" in form
    assert re.search(r'<label for="domain-1">[^<]+</label>', form)  # a visible label, not sr-only
    assert form.count("<button") == 1  # only its own button
    for order in ("change_subject", "records/change", "records/cancel", "cancel_subject"):
        assert order not in form
    group = page.split('class="action-group record-orders"')[1].split("</section>")[0]
    assert f'<h3 id="orders-1">{heading}</h3>' in group
    assert 'value="change_subject"' in group and "cancel-subject-1" in group


@pytest.mark.parametrize(
    ("language", "legend"),
    [("zh_Hans_CN", "青禾科技官网的新 IP"), ("en", "New IPs of 青禾科技官网")],
)
def test_each_website_of_the_change_form_is_a_block_with_its_ips_under_their_own_legend(
    client, applicant, held, language, legend
):
    client.get(f"/lang/{language}")
    page = client.get("/records/change?subject=" + held_subject(client)).get_data(as_text=True)
    block = page.split('<fieldset class="change-site"')[1].split("</fieldset>\n      </fieldset>")[
        0
    ]
    site_legend, rest = block.split("</legend>", 1)
    assert 'name="websites"' in site_legend and 'name="ips-' not in site_legend
    assert '<fieldset class="choices new-ips">' in rest
    ips = rest.split('<fieldset class="choices new-ips">')[1]
    assert f"<legend>{legend}</legend>" in ips and 'name="ips-' in ips
    assert 'name="websites"' not in ips


def held_subject(client) -> str:
    page = client.get("/records/").get_data(as_text=True)
    return re.search(r'href="/records/change\?subject=([^"]+)"', page).group(1)


def test_the_records_table_labels_each_cell_for_a_phone(client, applicant, held):
    page = client.get("/records/").get_data(as_text=True)
    row = page.split('<tr id="held-')[1].split("</tr>")[0]
    labels = re.findall(r'<td data-label="([^"]+)"', row)
    assert labels == ["网站", "网站备案号", "域名", "IP", "接入时间"]


def test_a_refused_claim_is_said_in_the_claim_form_which_the_page_scrolls_to(client, applicant):
    wrong = client.post(
        "/records/claim",
        data={"certificate_type": "uscc", "certificate_number": "9131011566P50L230K",
              "password": "nope"},
    )  # fmt: skip
    assert wrong.status_code == 422  # the records page again, the refusal in the claim form
    page = wrong.get_data(as_text=True)
    top, claim = page.split('<section class="card" id="claim">')
    assert "备案密码不正确" not in top  # not far above, at the top of the page
    assert 'id="claim-password-errors"' in claim and "备案密码不正确" in claim.split("</form>")[0]
