"""Catch the address typos that validate but never arrive: ``gmial.com``, ``example.con``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from ..edits import edit_distance as _distance

__all__ = ["NearDomains", "suggest_domain", "suggest_known_domain"]

PROVIDERS = (
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.de",
    "gmx.net", "yandex.com", "mail.com", "ymail.com", "rocketmail.com", "hotmail.co.uk", "yahoo.co.uk", "mail.ru",
    "qq.com", "163.com", "web.de", "fastmail.com", "zoho.com", "hey.com", "tutanota.com", "comcast.net",
)
TLD_TYPOS = {"con": "com", "cmo": "com", "ocm": "com", "comm": "com", "coom": "com", "vom": "com", "xom": "com",
             "cim": "com", "nte": "net", "ent": "net", "ogr": "org", "rog": "org", "eud": "edu", "deu": "edu"}


@lru_cache(maxsize=4096)
def suggest_domain(domain: str) -> str | None:
    """The domain the user most likely meant, or None when ``domain`` looks intended."""
    domain = domain.lower()
    if domain in PROVIDERS:
        return None
    name, _, tld = domain.rpartition(".")
    if tld in TLD_TYPOS:
        return f"{name}.{TLD_TYPOS[tld]}"
    limit = 1 if len(domain) < 8 else 2
    near = [p for p in PROVIDERS if abs(len(p) - len(domain)) <= limit]
    best = min(near, key=lambda p: _distance(domain, p), default=None)
    return best if best is not None and _distance(domain, best) <= limit else None


def suggest_known_domain(domain: str, used: Mapping[str, int]) -> str | None:
    """The domain of ``used`` (domain: how many of your contacts use it) one edit or swap from ``domain``, or None.

    None as well when ``domain`` is itself in use; of several, the most used wins.
    """
    domain = domain.lower()
    return None if used.get(domain, 0) > 0 else NearDomains(used).near(domain)


def _deletions(text: str) -> set[str]:
    """``text`` and every string one character shorter: two strings one edit or swap apart share one."""
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}


class NearDomains:
    """The domains your contacts use, indexed so that those one edit or swap from a domain are found at once."""

    def __init__(self, used: Mapping[str, int]) -> None:
        self.used = {d: n for d, n in used.items() if n > 0}
        self._index: dict[str, list[str]] = {}
        for known in self.used:
            for variant in _deletions(known):
                self._index.setdefault(variant, []).append(known)

    def near(self, domain: str) -> str | None:
        """The most used domain (other than ``domain``) one edit or swap from ``domain``, or None."""
        found = {d for v in _deletions(domain) for d in self._index.get(v, ())} - {domain}
        hits = [(-self.used[d], d) for d in found if _distance(domain, d) == 1]
        return min(hits)[1] if hits else None
