"""Tencent Cloud SMS (API 2021-01-11, action SendSms) on its official SDK:
BEIAN_SMS_GATEWAY=tencent (`pip install 'beian-desk[tencent]'`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.sms_platforms import (
    sign_name,
    template_code,
    tencent_client,
    tencent_permanent,
)
from domain.policy import Policy
from domain.ports import SendError, SmsMessage


class TencentSmsGateway:
    """Tencent Cloud SMS (API 2021-01-11, action SendSms)."""

    def __init__(
        self, policy: Policy, secret_id: str, secret_key: str, endpoint: str, region: str,
        sdk_app_id: str,
    ) -> None:  # fmt: skip
        self.policy, self.sdk_app_id = policy, sdk_app_id
        self.settings = (secret_id, secret_key, endpoint, region)
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The SDK's client, made at the first message: the SDK is imported by the process that
        sends (the outbox worker), not by every web worker at start."""
        if self._client is None:
            from tencentcloud.sms.v20210111 import sms_client  # noqa: PLC0415

            self._client = tencent_client(
                sms_client.SmsClient, self.settings, "sms.tencentcloudapi.com"
            )
        return self._client

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> TencentSmsGateway:
        """From BEIAN_SMS_ACCESS_KEY_ID (SecretId), _ACCESS_KEY_SECRET (SecretKey), _SDK_APP_ID,
        _REGION and _ENDPOINT (optional)."""
        return cls(
            policy, str(config.get("SMS_ACCESS_KEY_ID") or ""),
            str(config.get("SMS_ACCESS_KEY_SECRET") or ""), str(config.get("SMS_ENDPOINT") or ""),
            str(config.get("SMS_REGION") or "ap-guangzhou"), str(config.get("SMS_SDK_APP_ID") or ""),
        )  # fmt: skip

    def send(self, message: SmsMessage) -> None:
        """One SendSms call for one number; a request error or the number's status but Ok is a
        SendError.

        :raises SendError: the platform refused it (permanent for a bad number or template).
        """
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: PLC0415
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models  # noqa: PLC0415 (see client)

        client = self.client
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = message.sign_name or sign_name(self.policy)
        request.TemplateId = template_code(message, self.policy)
        request.TemplateParamSet = list(message.params.values())
        mobile = message.mobile if message.mobile.startswith("+") else "+86" + message.mobile
        request.PhoneNumberSet = [mobile]
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "ClientError")
            raise SendError(
                code, str(exc.get_message() or ""), permanent=tencent_permanent(code)
            ) from None
        statuses = response.SendStatusSet or []
        status = statuses[0] if statuses else None
        if status is None or status.Code != "Ok":
            code = status.Code if status is not None and status.Code else "no_status"
            detail = status.Message if status is not None and status.Message else ""
            raise SendError(code, detail, permanent=tencent_permanent(code))
