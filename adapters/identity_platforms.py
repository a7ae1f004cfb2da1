"""What the identity platforms' adapters share (identity_aliyun.py, identity_tencent.py on the
platforms' official SDKs, chosen by BEIAN_IDENTITY_VERIFIER = aliyun | tencent)."""

from __future__ import annotations

import hashlib

from adapters.sms_platforms import aliyun_client, tencent_client
from models import Website

__all__ = ["aliyun_client", "order_number", "tencent_client"]


def order_number(website: Website, return_url: str) -> str:
    """Our reference for one session (32 letters and digits, Alibaba's OuterOrderNo): the website
    and the phone page's link, so that a new link is a new order and the platform's log names
    ours without the person's name or number."""
    return hashlib.sha256(f"{website.id}\x00{return_url}".encode()).hexdigest()[:32]
