"""Arithmetic on literal numbers, with bounds: what a page may write where kb
expects a number (``nn.Linear(768, 4 * 768)``, ``tokens=15 * 10**12``).

Nothing is evaluated that could take long or grow large: integers have at
most ``MAX_DIGITS`` digits, floats must be finite, and a power is refused
before it is computed when its result would be too large. kb's own process
(reading figures) and the workers (building module expressions) share these
rules.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

MAX_DIGITS = 30  # 10**30: far beyond any count of parameters, bytes or FLOPs a page states

Number = int | float


class LiteralError(ValueError):
    """A number, or arithmetic on numbers, that kb will not evaluate; the message says why."""


def bounded(value: object) -> Number:
    """A literal number, if kb accepts it: an int of at most MAX_DIGITS digits or a finite float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LiteralError(f"{value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise LiteralError(f"{value} is not a finite number")
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
        raise LiteralError(f"a number of more than {MAX_DIGITS} digits is too large")
    return value


_OPERATORS: dict[str, Callable[[Number, Number], Number]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}
OPERATORS = frozenset(_OPERATORS)


def arithmetic(symbol: str, left: object, right: object) -> Number:
    """``left symbol right`` for bounded numbers, itself bounded; LiteralError otherwise."""
    if symbol not in _OPERATORS:
        raise LiteralError(f"{symbol} is not arithmetic kb evaluates")
    a, b = bounded(left), bounded(right)
    if symbol in ("/", "//", "%") and b == 0:
        raise LiteralError("division by zero")
    if symbol == "**":
        _check_power(a, b)
    try:
        result = _OPERATORS[symbol](a, b)
    except (OverflowError, ValueError, ZeroDivisionError) as error:
        raise LiteralError(f"{a} {symbol} {b}: {error}") from None
    if isinstance(result, complex):
        raise LiteralError(f"{a} {symbol} {b} is not a real number")
    return bounded(result)


def negate(value: object) -> Number:
    """``-value`` for a bounded number."""
    return -bounded(value)


def _check_power(base: Number, exponent: Number) -> None:
    """Refuse a power whose result would exceed the bounds, before computing it."""
    if isinstance(exponent, int) and exponent < 0 and base == 0:
        raise LiteralError("0 to a negative power")
    if abs(base) <= 1:
        return
    if exponent * math.log10(abs(base)) >= MAX_DIGITS + 1:
        raise LiteralError(f"{base} ** {exponent} has more than {MAX_DIGITS} digits")
