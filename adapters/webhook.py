"""Webhook events by HTTP POST (BEIAN_WEBHOOK_URL), signed with BEIAN_WEBHOOK_SECRET."""

from __future__ import annotations

import urllib.request


class HttpWebhookSender:
    """POSTs the event; the receiver checks X-Beian-Signature = sha256=HMAC(secret, body)."""

    def send(self, url: str, body: bytes, signature: str) -> None:
        """POST it; a non-2xx answer is an error (retried)."""
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Beian-Signature": signature,
                     "User-Agent": "beian-desk-webhook"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            if response.status >= 300:
                raise ConnectionError(f"webhook answered {response.status}")
