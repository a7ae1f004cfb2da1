"""Alibaba Cloud SMS (dysmsapi 2017-05-25, action SendSms) on its official SDK:
BEIAN_SMS_GATEWAY=aliyun (`pip install 'beian-desk[aliyun]'`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.sms_platforms import (
    ALIYUN_PERMANENT,
    aliyun_client,
    sign_name,
    template_code,
)
from domain.policy import Policy
from domain.ports import SendError, SmsMessage


class AliyunSmsGateway:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25, action SendSms)."""

    def __init__(self, policy: Policy, access_key_id: str, access_key_secret: str, endpoint: str):
        self.policy = policy
        self.settings = (access_key_id, access_key_secret, endpoint)
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The SDK's client, made at the first message: the SDK (24 MB) is imported by the
        process that sends (the outbox worker), not by every web worker at start."""
        if self._client is None:
            from alibabacloud_dysmsapi20170525.client import Client  # noqa: PLC0415

            self._client = aliyun_client(Client, self.settings, "dysmsapi.aliyuncs.com")
        return self._client

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> AliyunSmsGateway:
        """From BEIAN_SMS_ACCESS_KEY_ID, _ACCESS_KEY_SECRET and _ENDPOINT (optional)."""
        return cls(
            policy, str(config.get("SMS_ACCESS_KEY_ID") or ""),
            str(config.get("SMS_ACCESS_KEY_SECRET") or ""), str(config.get("SMS_ENDPOINT") or ""),
        )  # fmt: skip

    def send(self, message: SmsMessage) -> None:
        """One SendSms call; any answer but OK is a SendError.

        :raises SendError: the platform refused it (permanent for a bad number or template).
        """
        from alibabacloud_dysmsapi20170525 import models  # noqa: PLC0415 (see client)

        request = models.SendSmsRequest(
            phone_numbers=message.mobile, sign_name=message.sign_name or sign_name(self.policy),
            template_code=template_code(message, self.policy),
            template_param=json.dumps(message.params, ensure_ascii=False),
        )  # fmt: skip
        try:
            response = self.client.send_sms(request)
        except Exception as exc:  # the SDK raises for HTTP errors and network failures alike
            code = str(getattr(exc, "code", "") or type(exc).__name__)
            raise SendError(
                code, str(getattr(exc, "message", "")), permanent=code in ALIYUN_PERMANENT
            ) from None
        body = response.body
        if body is None or body.code != "OK":
            code = body.code if body is not None and body.code else "no_answer"
            detail = body.message if body is not None and body.message else ""
            raise SendError(code, detail, permanent=code in ALIYUN_PERMANENT)
