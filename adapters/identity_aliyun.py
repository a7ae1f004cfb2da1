"""Alibaba Cloud ID Verification (金融级实人认证, cloudauth 2019-03-07) on its official SDK:
BEIAN_IDENTITY_VERIFIER=aliyun (`pip install 'beian-desk[aliyun-identity]'`).

The flow its documentation gives for a web page on a phone (PC 或移动端 H5 网页接入): InitFaceVerify
with the person's name and ID number answers a CertifyId and a CertifyUrl; the person opens the
CertifyUrl on the phone and does the face check there; the platform sends them back to ReturnUrl;
DescribeFaceVerify with the CertifyId then says whether they passed (ResultObject.Passed T/F and
its SubCode)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.identity_platforms import aliyun_client, order_number
from domain.policy import Policy
from domain.ports import IdentityResult, IdentitySession, Verdict
from models import Person, Website

# DescribeFaceVerify's codes for "the person has not finished" (认证未完成, 身份认证记录不存在:
# not started, given up half-way, or still being judged).
NOT_FINISHED = frozenset({"403", "424"})
# Codes that say the person cannot pass today (a judgement, not a fault of ours).
REFUSALS = frozenset({"401", "414", "415", "416", "417", "418", "427"})
# What a phone's browser tells the platform of itself where the page carries no Alibaba script.
H5_META_INFO = {"deviceType": "h5", "appName": "beian-desk", "appVersion": "1", "bioMetaInfo": ""}


class AliyunIdentityVerifier:
    """Alibaba Cloud ID Verification: InitFaceVerify, then DescribeFaceVerify."""

    name = "aliyun"

    def __init__(
        self, access_key_id: str, access_key_secret: str, endpoint: str, scene_id: int,
        product_code: str, model: str,
    ) -> None:  # fmt: skip
        self.scene_id, self.product_code, self.model = scene_id, product_code, model
        self.settings = (access_key_id, access_key_secret, endpoint)
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The SDK's client, made at the first verification: the SDK (12 MB) is imported where
        it is used, not by every worker at start."""
        if self._client is None:
            from alibabacloud_cloudauth20190307.client import Client  # noqa: PLC0415

            self._client = aliyun_client(Client, self.settings, "cloudauth.aliyuncs.com")
        return self._client

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> AliyunIdentityVerifier:
        """From BEIAN_IDENTITY_ACCESS_KEY_ID, _ACCESS_KEY_SECRET, _SCENE_ID, _PRODUCT_CODE,
        _MODEL and _ENDPOINT (optional)."""
        return cls(
            str(config.get("IDENTITY_ACCESS_KEY_ID") or ""),
            str(config.get("IDENTITY_ACCESS_KEY_SECRET") or ""),
            str(config.get("IDENTITY_ENDPOINT") or ""), int(config.get("IDENTITY_SCENE_ID") or 0),
            str(config.get("IDENTITY_PRODUCT_CODE") or "ID_PRO"),
            str(config.get("IDENTITY_MODEL") or "LIVENESS"),
        )  # fmt: skip

    def start(self, person: Person, website: Website, return_url: str) -> IdentitySession:
        """InitFaceVerify for a phone's browser (CertifyUrlType H5); the CertifyUrl is the session's.

        :raises ConnectionError: no answer, or any answer but 200 with a CertifyUrl.
        """
        from alibabacloud_cloudauth20190307 import models  # noqa: PLC0415 (see client)

        request = models.InitFaceVerifyRequest(
            scene_id=self.scene_id, outer_order_no=order_number(website, return_url),
            product_code=self.product_code, model=self.model, cert_type="IDENTITY_CARD",
            cert_name=person.name, cert_no=person.id_number, return_url=return_url,
            meta_info=json.dumps(H5_META_INFO), certify_url_type="H5",
        )  # fmt: skip
        try:
            response = self.client.init_face_verify(request)
        except Exception as exc:  # the SDK raises for HTTP errors and network failures alike
            raise ConnectionError(_error(exc)) from None
        body = response.body
        result = body.result_object if body is not None else None
        if body is None or body.code != "200" or result is None or not result.certify_url:
            code = body.code if body is not None else "no_answer"
            message = body.message if body is not None else ""
            raise ConnectionError(f"InitFaceVerify {code}: {message}")
        return IdentitySession(self.name, str(result.certify_id or ""), str(result.certify_url))

    def result(self, session: IdentitySession) -> IdentityResult:
        """DescribeFaceVerify: Passed T is passed, F failed (SubCode and its words); not finished
        (403, 424) is pending.

        :raises ConnectionError: no answer, or the platform's own fault (configuration, arrears).
        """
        from alibabacloud_cloudauth20190307 import models  # noqa: PLC0415 (see client)

        request = models.DescribeFaceVerifyRequest(
            scene_id=self.scene_id, certify_id=session.reference
        )
        try:
            response = self.client.describe_face_verify(request)
        except Exception as exc:
            raise ConnectionError(_error(exc)) from None
        body = response.body
        code = str(body.code or "") if body is not None else ""
        message = str(body.message or "") if body is not None else ""
        if code in NOT_FINISHED:
            return IdentityResult(Verdict.pending, f"{code} {message}".strip())
        if code in REFUSALS:
            return IdentityResult(Verdict.failed, f"{code} {message}".strip())
        result = body.result_object if body is not None else None
        if code != "200" or result is None:
            raise ConnectionError(f"DescribeFaceVerify {code or 'no_answer'}: {message}")
        sub_code = str(result.sub_code or "")
        if result.passed == "T":
            return IdentityResult(Verdict.passed, f"SubCode {sub_code}".strip())
        return IdentityResult(Verdict.failed, f"SubCode {sub_code} {message}".strip())


def _error(exc: Exception) -> str:
    code = str(getattr(exc, "code", "") or type(exc).__name__)
    return f"{code}: {getattr(exc, 'message', '') or ''}".rstrip(": ")
