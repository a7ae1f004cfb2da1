"""Tencent Cloud FaceID (人脸核身, faceid 2018-03-01) on its official SDK:
BEIAN_IDENTITY_VERIFIER=tencent (`pip install 'beian-desk[tencent-identity]'`).

The flow its documentation gives for a mobile web page (H5 / 微信 H5): DetectAuth with the
business flow (RuleId), the person's name and ID number answers a BizToken and a Url; the person
opens the Url on the phone and does the face check there, and is sent back to RedirectUrl;
GetDetectInfoEnhanced with the BizToken then tells the result (Text.ErrCode 0: passed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.identity_platforms import order_number, tencent_client
from domain.policy import Policy
from domain.ports import IdentityResult, IdentitySession, Verdict
from models import Person, Website

# Errors that judge the session (a token that expired or was never used to the end), not our setup.
REFUSAL_PREFIXES = ("InvalidParameterValue.BizToken", "FailedOperation.")


class TencentIdentityVerifier:
    """Tencent Cloud FaceID: DetectAuth, then GetDetectInfoEnhanced."""

    name = "tencent"

    def __init__(
        self, secret_id: str, secret_key: str, endpoint: str, region: str, rule_id: str
    ) -> None:
        self.rule_id = rule_id
        self.settings = (secret_id, secret_key, endpoint, region)
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The SDK's client, made at the first verification: the SDK is imported where it is
        used, not by every worker at start."""
        if self._client is None:
            from tencentcloud.faceid.v20180301 import faceid_client  # noqa: PLC0415

            self._client = tencent_client(
                faceid_client.FaceidClient, self.settings, "faceid.tencentcloudapi.com"
            )
        return self._client

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> TencentIdentityVerifier:
        """From BEIAN_IDENTITY_ACCESS_KEY_ID (SecretId), _ACCESS_KEY_SECRET (SecretKey),
        _RULE_ID, _REGION and _ENDPOINT (optional)."""
        return cls(
            str(config.get("IDENTITY_ACCESS_KEY_ID") or ""),
            str(config.get("IDENTITY_ACCESS_KEY_SECRET") or ""),
            str(config.get("IDENTITY_ENDPOINT") or ""),
            str(config.get("IDENTITY_REGION") or "ap-guangzhou"),
            str(config.get("IDENTITY_RULE_ID") or ""),
        )

    def start(self, person: Person, website: Website, return_url: str) -> IdentitySession:
        """DetectAuth; its Url is where the person completes the check.

        :raises ConnectionError: no answer, or an error answer.
        """
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: PLC0415
            TencentCloudSDKException,
        )
        from tencentcloud.faceid.v20180301 import models  # noqa: PLC0415 (see client)

        client = self.client
        request = models.DetectAuthRequest()
        request.RuleId = self.rule_id
        request.IdCard = person.id_number
        request.Name = person.name
        request.RedirectUrl = return_url
        request.Extra = order_number(website, return_url)
        try:
            response = client.DetectAuth(request)
        except TencentCloudSDKException as exc:
            raise ConnectionError(f"DetectAuth {exc.get_code()}: {exc.get_message()}") from None
        if not response.Url or not response.BizToken:
            raise ConnectionError("DetectAuth: no Url or BizToken")
        return IdentitySession(self.name, str(response.BizToken), str(response.Url))

    def result(self, session: IdentitySession) -> IdentityResult:
        """GetDetectInfoEnhanced (text only): ErrCode 0 is passed, another code failed (with its
        words), none yet pending.

        :raises ConnectionError: no answer, or an error that is ours (keys, rule, quota).
        """
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: PLC0415
            TencentCloudSDKException,
        )
        from tencentcloud.faceid.v20180301 import models  # noqa: PLC0415 (see client)

        client = self.client
        request = models.GetDetectInfoEnhancedRequest()
        request.BizToken = session.reference
        request.RuleId = self.rule_id
        request.InfoType = "1"
        try:
            response = client.GetDetectInfoEnhanced(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "")
            if code.startswith(REFUSAL_PREFIXES):
                return IdentityResult(Verdict.failed, f"{code} {exc.get_message() or ''}".strip())
            raise ConnectionError(f"GetDetectInfoEnhanced {code}: {exc.get_message()}") from None
        text = response.Text
        if text is None or text.ErrCode is None:
            return IdentityResult(Verdict.pending)
        words = f"ErrCode {text.ErrCode} {text.ErrMsg or ''}".strip()
        if int(text.ErrCode) == 0:
            return IdentityResult(Verdict.passed, words)
        return IdentityResult(Verdict.failed, words)
