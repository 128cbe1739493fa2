"""How names are compared and how headings become anchors.

A link finds a page by name "as a person would type it": Unicode NFC (so a
Korean title typed on macOS, which writes decomposed jamo, still matches),
case folded, with spaces, ``-`` and ``_`` treated alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-_]+")
_NOT_SLUG = re.compile(r"[^\w\- ]")


@lru_cache(maxsize=65536)
def exact(name: str) -> str:
    """The exact form of a name: NFC, surrounding space removed."""
    return unicodedata.normalize("NFC", name).strip()


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """The folded form: NFC, case folded, runs of space, ``-`` and ``_`` as one space."""
    return _SEPARATORS.sub(" ", exact(name).casefold()).strip()


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """The anchor of a heading: lower case, word characters kept (Korean too), spaces as ``-``.

    The site's Markdown is configured to use this same function for heading
    ids, so the anchors kb checks are the anchors the site has.
    """
    value = _NOT_SLUG.sub("", unicodedata.normalize("NFC", text).strip().lower())
    return re.sub(r"[\s]+", "-", value)


def toc_slugify(value: str, separator: str) -> str:
    """The signature Python-Markdown's ``toc`` extension expects (``slugify: !!python/name:...``)."""
    slug = slugify(value)
    return slug if separator == "-" else slug.replace("-", separator)
