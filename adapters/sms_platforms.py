"""What the SMS platform gateways share (sms_aliyun.py, sms_tencent.py on the platforms' official
SDKs, chosen by BEIAN_SMS_GATEWAY = aliyun | tencent; `pip install 'beian-desk[aliyun]'` or `'beian-desk[tencent]'`).

Both send an approved template (our key mapped to the provider's template code, BEIAN_SMS_TEMPLATES)
with its parameters under the approved signature (BEIAN_SMS_SIGN_NAME), never free text. The
platforms' refusals become SendError: throttling is retried with backoff; an invalid number or a
template or signature that is not approved fails for good (a dead letter the admin sees).
"""

from __future__ import annotations

import logging
from typing import Any

from domain.policy import Policy
from domain.ports import SendError, SmsMessage

# Platform error codes that no retry can fix (anything else is retried until the last try).
ALIYUN_PERMANENT = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT", "isv.SMS_SIGN_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.TEMPLATE_PARAMS_ILLEGAL", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL",
    "isv.AMOUNT_NOT_ENOUGH", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
})  # fmt: skip
TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameterValue.", "InvalidParameter.", "MissingParameter.", "UnauthorizedOperation.",
    "UnsupportedOperation.", "AuthFailure.", "FailedOperation.TemplateUnapprovedOrNotExist",
    "FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.TemplateParamSetNotMatch",
    "FailedOperation.InsufficientBalanceInSmsPackage", "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.MissingSignature", "FailedOperation.MissingTemplate",
)  # fmt: skip


def template_code(message: SmsMessage, policy: Policy) -> str:
    """The provider's template code for our key (the policy's at sending time, else this gateway's).

    :raises SendError: (permanent) no code is configured for the key.
    """
    code = message.template_code or dict(policy.sms_templates).get(message.template)
    if not code:
        raise SendError(
            "no_template", f"BEIAN_SMS_TEMPLATES has no {message.template}", permanent=True
        )
    return code


# The SDKs log each request whole at DEBUG (the template parameters, so the SMS code, included).
SDK_LOGGERS = ("alibabacloud-tea", "darabonba-core", "tencentcloud_sdk_common")


class _WithoutTemplateParams(logging.Filter):
    """Drops urllib3's DEBUG line of a request whose URL carries the template parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "TemplateParam" not in record.getMessage()


def quiet_sdk_loggers() -> None:
    """Keep the SDKs' request logs (and urllib3's request line, the query with the parameters)
    out of every log, whatever level the root logger is at."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    pool = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _WithoutTemplateParams) for f in pool.filters):
        pool.addFilter(_WithoutTemplateParams())


def sign_name(policy: Policy) -> str:
    """The approved signature: BEIAN_SMS_SIGN_NAME, else the provider's name."""
    return policy.sms_sign_name or policy.provider_name


def split_endpoint(endpoint: str, default_host: str) -> tuple[str, str]:
    """(protocol, host[:port]) of an endpoint given with or without its scheme."""
    protocol, _, host = (endpoint or default_host).rpartition("://")
    return (protocol or "https").lower(), host.rstrip("/")


def aliyun_client(client_class: Any, settings: tuple[str, str, str], default_host: str) -> Any:
    """An Alibaba Cloud SDK client of `client_class` (imported by its adapter where it is used)
    for (access key id, secret, endpoint), the SDK's loggers quieted."""
    from alibabacloud_tea_openapi import models as openapi_models  # noqa: PLC0415

    quiet_sdk_loggers()
    access_key_id, access_key_secret, endpoint = settings
    protocol, host = split_endpoint(endpoint, default_host)
    return client_class(
        openapi_models.Config(
            access_key_id=access_key_id, access_key_secret=access_key_secret,
            endpoint=host, protocol=protocol, read_timeout=10000, connect_timeout=5000,
        )
    )  # fmt: skip


def tencent_client(
    client_class: Any, settings: tuple[str, str, str, str], default_host: str
) -> Any:
    """A Tencent Cloud SDK client of `client_class` (imported by its adapter where it is used)
    for (secret id, secret key, endpoint, region), the SDK's loggers quieted."""
    from tencentcloud.common import credential  # noqa: PLC0415
    from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: PLC0415
    from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: PLC0415

    quiet_sdk_loggers()
    secret_id, secret_key, endpoint, region = settings
    protocol, host = split_endpoint(endpoint, default_host)
    profile = ClientProfile(
        httpProfile=HttpProfile(endpoint=host, protocol=protocol, reqTimeout=10)
    )
    return client_class(credential.Credential(secret_id, secret_key), region, profile)


def tencent_permanent(code: str) -> bool:
    """Whether a Tencent error code is one no retry can fix."""
    return code.startswith(TENCENT_PERMANENT_PREFIXES)
