"""The SMS adapters on the platforms' official SDKs, against a local endpoint standing in for the
platform: the request the SDK really sends (action, template code, parameters, signature, number)
and the platform's error answers, sorted into "retry later" and "failed for good"."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest

from adapters.sms_aliyun import AliyunSmsGateway
from adapters.sms_tencent import TencentSmsGateway
from config import Config
from domain.policy import Policy
from domain.ports import SendError, SmsMessage
from tests.helpers.platforms import sms_platform

TEMPLATES = {"sms_code": "SMS_275300001", "filing_rejected": "SMS_275300002"}
CODE_MESSAGE = SmsMessage(
    "13800138000", "sms_code", {"code": "482913", "hours": "24"}, "验证码：******"
)


def policy() -> Policy:
    config = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    config.update(SECRET_KEY="k", SMS_SIGN_NAME="示例云", SMS_TEMPLATES=TEMPLATES)
    return Policy.from_config(config)


def aliyun(endpoint: str) -> AliyunSmsGateway:
    settings = {"SMS_ACCESS_KEY_ID": "LTAI-test", "SMS_ACCESS_KEY_SECRET": "secret",
                "SMS_ENDPOINT": endpoint}  # fmt: skip
    return AliyunSmsGateway.from_config(settings, policy())


def tencent(endpoint: str) -> TencentSmsGateway:
    settings = {"SMS_ACCESS_KEY_ID": "AKID-test", "SMS_ACCESS_KEY_SECRET": "secret",
                "SMS_ENDPOINT": endpoint, "SMS_REGION": "ap-guangzhou", "SMS_SDK_APP_ID": "1400123456"}  # fmt: skip
    return TencentSmsGateway.from_config(settings, policy())


def aliyun_answer(code: str, message: str = "") -> dict:
    return {
        "Code": code,
        "Message": message or code,
        "RequestId": "F655A8D5",
        "BizId": "9006197469364984",
    }


def tencent_status(code: str) -> dict:
    status = {"SerialNo": "2028:f825e6b16e23f73f4123", "PhoneNumber": "+8613800138000", "Fee": 1,
              "SessionContext": "", "Code": code, "Message": "send success" if code == "Ok" else code,
              "IsoCode": "CN"}  # fmt: skip
    return {"Response": {"SendStatusSet": [status], "RequestId": "a0aabda6"}}


def tencent_error(code: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": code}, "RequestId": "a0aabda6"}}


def test_aliyun_sends_the_template_code_parameters_and_signature():
    with sms_platform() as platform:
        platform.answer = aliyun_answer("OK")
        aliyun(platform.endpoint).send(CODE_MESSAGE)
    (request,) = platform.received
    assert request.headers["x-acs-action"] == "SendSms"
    assert request.headers["x-acs-version"] == "2017-05-25"
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test,")
    assert request.query["PhoneNumbers"] == "13800138000"
    assert request.query["SignName"] == "示例云"
    assert request.query["TemplateCode"] == "SMS_275300001"
    assert json.loads(request.query["TemplateParam"]) == {"code": "482913", "hours": "24"}


def test_tencent_sends_the_template_id_parameters_and_signature():
    with sms_platform() as platform:
        platform.answer = tencent_status("Ok")
        tencent(platform.endpoint).send(CODE_MESSAGE)
    (request,) = platform.received
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    assert request.body == {
        "PhoneNumberSet": ["+8613800138000"], "SmsSdkAppId": "1400123456",
        "SignName": "示例云", "TemplateId": "SMS_275300001", "TemplateParamSet": ["482913", "24"],
    }  # fmt: skip


ERRORS = [
    # (adapter, answer, code, permanent)
    (aliyun, aliyun_answer("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
     "isv.BUSINESS_LIMIT_CONTROL", False),
    (aliyun, aliyun_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"), "isv.MOBILE_NUMBER_ILLEGAL", True),
    (aliyun, aliyun_answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
     "isv.SMS_TEMPLATE_ILLEGAL", True),
    (tencent, tencent_status("LimitExceeded.PhoneNumberThirtySecondLimit"),
     "LimitExceeded.PhoneNumberThirtySecondLimit", False),
    (tencent, tencent_status("InvalidParameterValue.IncorrectPhoneNumber"),
     "InvalidParameterValue.IncorrectPhoneNumber", True),
    (tencent, tencent_error("FailedOperation.TemplateUnapprovedOrNotExist"),
     "FailedOperation.TemplateUnapprovedOrNotExist", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("adapter", "answer", "code", "permanent"), ERRORS,
    ids=["aliyun-throttled", "aliyun-invalid-number", "aliyun-template-not-approved",
         "tencent-throttled", "tencent-invalid-number", "tencent-template-not-approved"],
)  # fmt: skip
def test_platform_errors_say_whether_a_retry_can_help(adapter, answer, code, permanent):
    with sms_platform() as platform:
        platform.answer = answer
        with pytest.raises(SendError) as raised:
            adapter(platform.endpoint).send(CODE_MESSAGE)
    assert raised.value.code == code and raised.value.permanent is permanent
    assert "482913" not in str(raised.value)  # the code is not echoed into the error we keep
    assert len(platform.received) == 1


@pytest.mark.parametrize("adapter", [aliyun, tencent])
def test_a_template_key_without_a_code_fails_for_good_before_calling_the_platform(adapter):
    with sms_platform() as platform:
        gateway = adapter(platform.endpoint)
        gateway.policy = dataclasses.replace(gateway.policy, sms_templates=())
        with pytest.raises(SendError) as raised:
            gateway.send(CODE_MESSAGE)
    assert raised.value.permanent and platform.received == []


@pytest.mark.parametrize("adapter", [aliyun, tencent])
def test_an_unreachable_platform_is_retried(adapter):
    with sms_platform() as platform:
        endpoint = platform.endpoint
    with pytest.raises(SendError) as raised:  # the stand-in is gone: connection refused
        adapter(endpoint).send(CODE_MESSAGE)
    assert raised.value.permanent is False


@pytest.mark.parametrize("adapter", [aliyun, tencent])
def test_no_code_reaches_the_log_even_at_debug_level(adapter, caplog):
    with caplog.at_level(logging.DEBUG), sms_platform() as platform:
        platform.answer = aliyun_answer("OK") if adapter is aliyun else tencent_status("Ok")
        gateway = adapter(platform.endpoint)
        gateway.send(CODE_MESSAGE)
    assert platform.received and "482913" not in caplog.text
