"""Pins: what a page says a figure is, and whether the computed value agrees.

A pin's own precision is its tolerance:

- ``"25,557,032"`` must match exactly;
- ``"25.6M"`` must round to 25.6 million (K, M, B, T: thousand, million,
  billion, trillion), ``"1.6 TB"`` to 1.6 terabytes (KB..PB decimal, KiB..PiB
  binary), ``"3.15e23"`` to three significant digits, ``"0.12%"`` to a
  hundredth of a percent;
- a leading ``~`` or ``≈`` means approximately: within a relative tolerance.

``style_of`` reads how a pin is written, ``format_in`` writes any value the
same way, and a value satisfies an exact-style pin when it formats to the
same text. So formatting a value and checking it against itself always
passes, and ``kb fix`` rewrites a stale pin in its own style.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException, InvalidOperation, localcontext
from typing import ParamSpec, TypeVar

SCALES = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
BYTE_UNITS = {
    "bytes": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50,
}

_PIN = re.compile(
    r"^(?P<approx>[~≈])?\s*(?P<sign>-)?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:[eE](?P<exp>[+-]?\d+))?(?P<space>\s?)(?P<suffix>[KMBT]|%|bytes|[KMGTP]i?B)?$"
)


class PinError(ValueError):
    """A pin that kb cannot read."""


# Pins are compared exactly: with digits to spare beyond the largest pin kb reads, and
# exponents far beyond any count, so no value within bounds is ever rounded or overflows.
MAX_PIN_DIGITS = 30
MAX_PIN_EXPONENT = 60
_CONTEXT = Context(prec=4 * MAX_PIN_DIGITS, Emax=4 * MAX_PIN_EXPONENT, Emin=-4 * MAX_PIN_EXPONENT, rounding=ROUND_HALF_UP)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _exact(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run in kb's decimal context; a value beyond it is a PinError, never an internal error."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_CONTEXT):
            try:
                return function(*args, **kwargs)
            except DecimalException as error:
                raise PinError(f"a value kb cannot compare at a pin's precision ({type(error).__name__})") from None

    return wrapper


@dataclass(frozen=True)
class Style:
    """How a pin is written: enough to write any other value the same way."""

    approx: str = ""  # "", "~" or "≈"
    decimals: int = 0  # digits after the point (of the mantissa, in scientific style)
    suffix: str = ""  # "", K/M/B/T, %, or a byte unit
    space: str = ""  # between number and suffix
    commas: bool = False
    scientific: bool = False

    @property
    def unit(self) -> str:
        """What the pin measures: "bytes", "percent" or "number"."""
        if self.suffix in BYTE_UNITS:
            return "bytes"
        return "percent" if self.suffix == "%" else "number"

    @property
    def scale(self) -> int:
        if self.suffix in BYTE_UNITS:
            return BYTE_UNITS[self.suffix]
        return SCALES.get(self.suffix, 1)


@dataclass(frozen=True)
class Pin:
    """A parsed pin: its text, the value it states, and its style."""

    text: str
    value: Decimal
    style: Style


@_exact
def parse_pin(text: str) -> Pin:
    """Read a pin such as ``"25.6M"``, ``"~2.4 GB"`` or ``"25,557,032"``."""
    match = _PIN.match(text.strip())
    if not match:
        raise PinError(
            f'cannot read the pin "{_shown(text)}"; write a number such as "25,557,032", "25.6M", '
            '"1.6 TB", "3.15e23", "0.12%" or "~2.4M"'
        )
    number = match["number"]
    commas = "," in number
    digits = number.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    if len(digits.replace(".", "").lstrip("0")) > MAX_PIN_DIGITS or decimals > MAX_PIN_DIGITS:
        raise PinError(f'the pin "{_shown(text)}" has more than {MAX_PIN_DIGITS} digits')
    if match["exp"] is not None and (len(match["exp"]) > 4 or abs(int(match["exp"])) > MAX_PIN_EXPONENT):
        raise PinError(f'the pin "{_shown(text)}" needs an exponent between -{MAX_PIN_EXPONENT} and {MAX_PIN_EXPONENT}')
    suffix = match["suffix"] or ""
    scientific = match["exp"] is not None
    if scientific and suffix not in ("", "%") and suffix not in BYTE_UNITS:
        raise PinError(f'cannot read the pin "{_shown(text)}": use either an exponent or a suffix, not both')
    style = Style(match["approx"] or "", decimals, suffix, match["space"] if suffix else "", commas, scientific)
    mantissa = Decimal(("-" if match["sign"] else "") + digits)
    value = mantissa * (Decimal(10) ** int(match["exp"])) if scientific else mantissa
    value *= Decimal(100) ** -1 if suffix == "%" else style.scale
    return Pin(text, value, style)


def _shown(text: str) -> str:
    """A pin as a message quotes it: a long one is cut."""
    return text if len(text) <= 40 else text[:37] + "..."


@_exact
def format_in(value: float | int | Decimal, style: Style) -> str:
    """Write ``value`` in ``style`` (with its ``~`` and suffix), rounding half up."""
    amount = _decimal(value)
    if style.suffix == "%":
        amount *= 100
    else:
        amount /= style.scale
    if style.scientific:
        body = _scientific(amount, style.decimals)
    else:
        rounded = amount.quantize(Decimal(1).scaleb(-style.decimals), rounding=ROUND_HALF_UP)
        body = f"{rounded:,.{style.decimals}f}" if style.commas else f"{rounded:.{style.decimals}f}"
        if body.startswith("-") and rounded == 0:
            body = body[1:]
    return f"{style.approx}{body}{style.space}{style.suffix}"


def _scientific(amount: Decimal, decimals: int) -> str:
    if amount == 0:
        return f"{0:.{decimals}f}e0"
    exponent = amount.copy_abs().adjusted()
    mantissa = (amount / Decimal(10) ** exponent).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if mantissa.copy_abs() >= 10:  # 9.99 rounded up to 10.0
        exponent += 1
        mantissa = (amount / Decimal(10) ** exponent).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{mantissa:.{decimals}f}e{exponent}"


def _decimal(value: float | int | Decimal) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise PinError(f"{value!r} is not a number") from None


@_exact
def satisfies(value: float | int | Decimal, pin: Pin, tolerance: float) -> bool:
    """Whether a computed value agrees with a pin at the pin's precision."""
    amount = _decimal(value)
    if not amount.is_finite():
        return False
    if pin.style.approx:
        if pin.value == 0:
            return amount == 0
        return abs(amount - pin.value) <= Decimal(str(tolerance)) * abs(pin.value)
    return format_in(amount, pin.style) == format_in(pin.value, pin.style)


@_exact
def rewrite(pin: Pin, value: float | int | Decimal, tolerance: float = 0.05) -> str:
    """The pin as it should read for ``value``: same style, same approximation mark.

    An approximate pin too coarse to hold the value within the tolerance
    (``~0M`` for 400,000) gets the decimals it needs."""
    style = pin.style
    text = format_in(value, style)
    while style.approx and style.decimals < 12 and not satisfies(value, parse_pin(text), tolerance):
        style = replace(style, decimals=style.decimals + 1)
        text = format_in(value, style)
    return text


@_exact
def compact(value: float | int, unit: str = "number") -> str:
    """A short form for messages and default display: 109.5M, 1.62 TB, 3.15e23."""
    amount = _decimal(value)
    if unit == "bytes":
        suffix = next((s for s in ("PB", "TB", "GB", "MB", "KB") if abs(amount) >= BYTE_UNITS[s]), "bytes")
        if suffix == "bytes":
            return f"{int(amount):,} bytes"
        text = format_in(amount / BYTE_UNITS[suffix], Style(decimals=2))
        return f"{text.rstrip('0').rstrip('.')} {suffix}"
    if abs(amount) >= 10**15:
        return format_in(amount, Style(decimals=2, scientific=True))
    suffix = next((s for s in ("T", "B", "M", "K") if abs(amount) >= SCALES[s]), "")
    if not suffix:
        return f"{int(amount):,}" if amount == amount.to_integral_value() else f"{float(amount):.4g}"
    scaled = abs(amount) / SCALES[suffix]
    decimals = 1 if scaled >= 100 else 2 if scaled >= 10 else 3
    text = format_in(amount / SCALES[suffix], replace(Style(), decimals=decimals))
    return (text.rstrip("0").rstrip(".") if "." in text else text) + suffix


def in_full(value: float | int) -> str:
    """The full value for provenance: 109,482,240; floats with their digits."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 2**53):
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6e}"
