"""The identity verifiers on the platforms' official SDKs (Alibaba Cloud ID Verification, Tencent
Cloud FaceID), against a local endpoint standing in for each platform: the calls the SDK really
sends (action, name and number, return address), and each answer read as passed, failed (with the
platform's words) or pending."""

from __future__ import annotations

import pytest

from adapters.identity_aliyun import AliyunIdentityVerifier
from adapters.identity_tencent import TencentIdentityVerifier
from domain.ports import IdentityResult, IdentitySession, Verdict
from models import Person, Website
from tests.helpers.identity_platforms import (
    aliyun_describe,
    aliyun_init,
    identity_platform,
    tencent_detect_auth,
    tencent_detect_info,
    tencent_error,
)

RETURN = "https://beian.example.cn/verify/tok/return"


def person() -> Person:
    return Person(name="张三", id_type="resident_id", id_number="11010519491231002X")


def aliyun(endpoint: str) -> AliyunIdentityVerifier:
    return AliyunIdentityVerifier.from_config(
        {"IDENTITY_ACCESS_KEY_ID": "LTAI-test", "IDENTITY_ACCESS_KEY_SECRET": "secret",
         "IDENTITY_ENDPOINT": endpoint, "IDENTITY_SCENE_ID": "1000000006"}, policy=None,  # type: ignore[arg-type]
    )  # fmt: skip


def tencent(endpoint: str) -> TencentIdentityVerifier:
    return TencentIdentityVerifier.from_config(
        {"IDENTITY_ACCESS_KEY_ID": "AKID-test", "IDENTITY_ACCESS_KEY_SECRET": "secret",
         "IDENTITY_ENDPOINT": endpoint, "IDENTITY_RULE_ID": "7"}, policy=None,  # type: ignore[arg-type]
    )  # fmt: skip


def test_aliyun_starts_with_init_face_verify_and_hands_the_certify_url():
    with identity_platform() as platform:
        platform.answers["InitFaceVerify"] = aliyun_init("91707dc296d469ad", platform.endpoint)
        session = aliyun(platform.endpoint).start(person(), Website(id=3), RETURN)
    assert session == IdentitySession(
        "aliyun", "91707dc296d469ad", f"{platform.endpoint}/h5?session=91707dc296d469ad"
    )
    (call,) = platform.calls
    assert call.action == "InitFaceVerify"
    assert call.headers["x-acs-version"] == "2019-03-07"
    assert call.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test,")
    assert call.params["CertName"] == "张三" and call.params["CertNo"] == "11010519491231002X"
    assert call.params["CertType"] == "IDENTITY_CARD" and call.params["SceneId"] == "1000000006"
    assert call.params["ReturnUrl"] == RETURN and call.params["CertifyUrlType"] == "H5"
    assert call.params["ProductCode"] == "ID_PRO" and len(call.params["OuterOrderNo"]) == 32


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (aliyun_describe("200", "T", "200"), IdentityResult(Verdict.passed, "SubCode 200")),
        (aliyun_describe("200", "F", "204"), IdentityResult(Verdict.failed, "SubCode 204 success")),
        (
            aliyun_describe("424", message="身份认证记录不存在"),
            IdentityResult(Verdict.pending, "424 身份认证记录不存在"),
        ),
        (
            aliyun_describe("403", message="认证未完成"),
            IdentityResult(Verdict.pending, "403 认证未完成"),
        ),
        (
            aliyun_describe("418", message="刷脸失败次数过多"),
            IdentityResult(Verdict.failed, "418 刷脸失败次数过多"),
        ),
    ],
)
def test_aliyun_reads_describe_face_verify(answer, expected):
    with identity_platform() as platform:
        platform.answers["DescribeFaceVerify"] = answer
        result = aliyun(platform.endpoint).result(IdentitySession("aliyun", "91707dc2", ""))
    assert result == expected
    (call,) = platform.calls
    assert call.action == "DescribeFaceVerify"
    assert call.params["CertifyId"] == "91707dc2" and call.params["SceneId"] == "1000000006"


def test_aliyun_setup_errors_are_the_service_not_answering():
    with identity_platform() as platform:
        platform.answers["InitFaceVerify"] = {"Code": "404", "Message": "认证场景配置不存在"}
        platform.answers["DescribeFaceVerify"] = aliyun_describe("412", message="欠费中")
        verifier = aliyun(platform.endpoint)
        with pytest.raises(ConnectionError, match="404"):
            verifier.start(person(), Website(id=3), RETURN)
        with pytest.raises(ConnectionError, match="412"):
            verifier.result(IdentitySession("aliyun", "x", ""))


def test_tencent_starts_with_detect_auth_and_hands_the_url():
    with identity_platform() as platform:
        platform.answers["DetectAuth"] = tencent_detect_auth("CE661F1A-0F1E", platform.endpoint)
        session = tencent(platform.endpoint).start(person(), Website(id=3), RETURN)
    assert session == IdentitySession(
        "tencent", "CE661F1A-0F1E", f"{platform.endpoint}/h5?session=CE661F1A-0F1E"
    )
    (call,) = platform.calls
    assert call.action == "DetectAuth"
    assert call.headers["x-tc-version"] == "2018-03-01"
    assert call.headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    assert call.params["RuleId"] == "7" and call.params["RedirectUrl"] == RETURN
    assert call.params["Name"] == "张三" and call.params["IdCard"] == "11010519491231002X"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (tencent_detect_info(0, "成功"), IdentityResult(Verdict.passed, "ErrCode 0 成功")),
        (tencent_detect_info(None), IdentityResult(Verdict.pending)),
        (tencent_detect_info(1005, "人脸比对不通过"), IdentityResult(Verdict.failed, "ErrCode 1005 人脸比对不通过")),
        (tencent_error("InvalidParameterValue.BizTokenExpired", "BizToken过期"),
         IdentityResult(Verdict.failed, "InvalidParameterValue.BizTokenExpired BizToken过期")),
    ],
)  # fmt: skip
def test_tencent_reads_get_detect_info_enhanced(answer, expected):
    with identity_platform() as platform:
        platform.answers["GetDetectInfoEnhanced"] = answer
        result = tencent(platform.endpoint).result(IdentitySession("tencent", "CE661F1A", ""))
    assert result == expected
    (call,) = platform.calls
    assert call.action == "GetDetectInfoEnhanced"
    assert call.params["BizToken"] == "CE661F1A" and call.params["RuleId"] == "7"


def test_tencent_own_errors_are_the_service_not_answering():
    with identity_platform() as platform:
        platform.answers["DetectAuth"] = tencent_error("AuthFailure.SecretIdNotFound")
        platform.answers["GetDetectInfoEnhanced"] = tencent_error(
            "UnauthorizedOperation.Nonactivated"
        )
        verifier = tencent(platform.endpoint)
        with pytest.raises(ConnectionError, match="SecretIdNotFound"):
            verifier.start(person(), Website(id=3), RETURN)
        with pytest.raises(ConnectionError, match="Nonactivated"):
            verifier.result(IdentitySession("tencent", "x", ""))
