"""Page fetchers for the footer checks (domain/ports.PageFetcher): httpx, and `off`.

HttpxPageFetcher asks one server (an IP the caller chose) for one URL, with the URL's host in the
Host header and as TLS SNI, and reads at most `max_bytes` of the answer within a time limit. The
certificate is not verified: the check reads what a site shows in its footer, and an expired or
self-signed certificate hides nothing of it. Redirects are the caller's to follow (the domain keeps
them on the site's registrable domain).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from domain.ports import FetchedPage

USER_AGENT = "BeianDesk-FooterCheck/1.0 (+ICP footer check of the access provider)"


class HttpxPageFetcher:
    """One GET per call with httpx; bounded in time (`timeout` per step, twice it in all) and size."""

    def __init__(
        self,
        timeout: float = 10.0,
        max_bytes: int = 1024 * 1024,
        allow_private: bool = False,
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.timeout, self.max_bytes, self.allow_private = timeout, max_bytes, allow_private
        self.ports = dict(ports or {})  # scheme -> port for URLs without one (tests' servers)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HttpxPageFetcher:
        return cls(
            timeout=float(config["FETCH_TIMEOUT_SECONDS"]),
            max_bytes=int(config["FETCH_MAX_BYTES"]),
            allow_private=bool(config["FETCH_ALLOW_PRIVATE"]),
        )

    def fetch(self, url: str, address: str) -> FetchedPage:
        """GET `url` from the server at `address`.

        :raises ConnectionError: no answer in time, a refused connection, or a refused address.
        """
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise ConnectionError(f"not an http(s) URL: {url[:80]!r}")
        ip = self._allowed(address)
        port = parts.port or self.ports.get(parts.scheme)
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        if port:
            netloc += f":{port}"
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        started = time.monotonic()
        try:
            with (
                httpx.Client(
                    verify=False,
                    timeout=httpx.Timeout(self.timeout),
                    follow_redirects=False,
                    trust_env=False,
                ) as client,  # fmt: skip
                client.stream(
                    "GET",
                    target,
                    headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": "text/html"},
                    extensions={"sni_hostname": host},
                ) as response,  # fmt: skip
            ):
                body = self._read(response, started)
        except httpx.HTTPError as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        location = response.headers.get("location", "")
        return FetchedPage(
            url=url,
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=body,
            location=urljoin(url, location) if location and response.is_redirect else "",
        )

    def _allowed(self, address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:
            raise ConnectionError(f"not an IP address: {address[:60]!r}") from exc
        if not ip.is_global and not self.allow_private:
            raise ConnectionError(f"address {ip} is not public")
        return ip

    def _read(self, response: httpx.Response, started: float) -> bytes:
        """The body up to max_bytes; a server that trickles past twice the timeout is cut off."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.max_bytes:
                break
            if time.monotonic() - started > 2 * self.timeout:
                raise ConnectionError("the page took too long")
        return b"".join(chunks)[: self.max_bytes]


class OffPageFetcher:
    """BEIAN_PAGE_FETCHER=off: no page is fetched (the footer command does not run)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OffPageFetcher:
        return cls()

    def fetch(self, url: str, address: str) -> FetchedPage:
        """Refuses every fetch.

        :raises ConnectionError: always.
        """
        raise ConnectionError("page fetching is off (BEIAN_PAGE_FETCHER=off)")
