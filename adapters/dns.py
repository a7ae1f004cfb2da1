"""DNS resolvers for the resolve checks (domain/ports.DnsResolver): dnspython, and `off`.

DnspythonResolver asks the resolver BEIAN_DNS_RESOLVER_ADDRESS names (IP or IP:port), or the ones
of this host's /etc/resolv.conf when it is empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dns.exception
import dns.resolver


def parse_address(value: str) -> tuple[str, int]:
    """ "IP", "IP:port" or "[IPv6]:port" -> (IP, port); port 53 when not given.

    :raises ValueError: an empty value or a port that is not a number.
    """
    value = value.strip()
    if not value:
        raise ValueError("no resolver address")
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        return host, int(rest.lstrip(":") or 53)
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, int(port)
    return value, 53


class DnspythonResolver:
    """A and AAAA (or any type) through dnspython, with a timeout per name."""

    def __init__(self, address: str = "", timeout: float = 5.0) -> None:
        if address:
            host, port = parse_address(address)
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = [host]
            self.resolver.port = port
        else:
            self.resolver = dns.resolver.Resolver()
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DnspythonResolver:
        return cls(
            str(config.get("DNS_RESOLVER_ADDRESS") or ""), float(config["DNS_TIMEOUT_SECONDS"])
        )

    def resolve(self, name: str, record_type: str = "A") -> list[str]:
        """The records of `name`; [] for NXDOMAIN or no answer.

        :raises ConnectionError: no resolver answered in time, or every one failed (SERVFAIL).
        """
        try:
            answer = self.resolver.resolve(
                name, record_type, lifetime=self.timeout, raise_on_no_answer=False, search=False
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        except dns.exception.DNSException as exc:  # a malformed name or answer: nothing usable
            raise ConnectionError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        if answer.rrset is None:
            return []
        return [rdata.to_text() for rdata in answer.rrset]


class OffResolver:
    """BEIAN_DNS_RESOLVER=off: no name is resolved (the resolve command does not run)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OffResolver:
        return cls()

    def resolve(self, name: str, record_type: str = "A") -> list[str]:
        """Refuses every name.

        :raises ConnectionError: always.
        """
        raise ConnectionError("DNS resolution is off (BEIAN_DNS_RESOLVER=off)")
