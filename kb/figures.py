"""Figures in pages: read each ``{{ ... }}``, judge its computed value against its pin.

Reading needs only the registry's manifest (names and units), which the
cache keeps, so a check with nothing changed never starts a worker.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from kb import pins
from kb.diagnostics import Diagnostics
from kb.pages import Expression, Page
from kb.sandbox import Call, ExpressionError, read_call

# Keyword arguments that belong to kb, not to the figure function.
PIN_ARGUMENT = "expect"


@dataclass
class Figure:
    """One figure of one page, from expression to verdict."""

    page: Page
    expression: Expression
    call: Call | None = None  # without the pin
    pin: pins.Pin | None = None
    unit: str = "number"
    value: int | float | None = None
    error: str | None = None
    state: str = "failed"  # verified, stale, unpinned or failed
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """What the page shows: the pin when it holds, else the computed value in the pin's style."""
        if self.value is None:
            return "?"
        if self.pin is not None:
            return self.pin.text.strip() if self.state == "verified" else pins.rewrite(self.pin, self.value)
        return default_display(self.value, self.unit)


def default_display(value: int | float, unit: str) -> str:
    """An unpinned value: counts in full (25,557,032), bytes and FLOPs in short form."""
    if unit == "bytes":
        return pins.compact(value, "bytes")
    if unit == "FLOPs":
        return pins.format_in(value, pins.Style(decimals=2, scientific=True))
    return pins.exact(value)


def read_figures(page: Page, manifest: dict[str, Any], diags: Diagnostics) -> list[Figure]:
    """Every figure of a page, with the problems of reading them reported."""
    figures = []
    functions = manifest.get("figures", {})
    for expression in page.expressions:
        figure = Figure(page, expression)
        figures.append(figure)
        problem = _read(figure, functions, manifest.get("models", {}))
        if problem:
            code, message = problem
            figure.error = message
            diags.add(page.source, expression.line, expression.column, code, message)
    return figures


def _read(figure: Figure, functions: dict[str, Any], models: dict[str, Any]) -> tuple[str, str] | None:
    expression = figure.expression
    if not expression.closed:
        return "figure.syntax", "{{ is not closed by }} on the same line"
    try:
        call = read_call(expression.text, functions)
    except ExpressionError as error:
        return error.code, str(error)
    spec = functions[call.function]
    figure.unit = spec["unit"]
    expect = call.kwarg(PIN_ARGUMENT)
    figure.call = call.without(PIN_ARGUMENT)
    if expect is not None:
        if not isinstance(expect, str):
            return "figure.pin", f'{PIN_ARGUMENT} must be a string such as "25.6M", got {expect!r}'
        try:
            figure.pin = pins.parse_pin(expect)
        except pins.PinError as error:
            return "figure.pin", str(error)
        mismatch = _unit_mismatch(figure.pin, figure.unit)
        if mismatch:
            return "figure.pin", f"{figure.call.text()} counts {figure.unit}; {mismatch}"
    if spec["takes_model"] and figure.call.args and isinstance(figure.call.args[0], str):
        name = figure.call.args[0]
        if not name.startswith("nn.") and name not in models:
            close = difflib.get_close_matches(name, list(models), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            return "figure.unknown", f'{figure.call.text()}: no model "{name}" is registered{hint}'
    return None


def _unit_mismatch(pin: pins.Pin, unit: str) -> str | None:
    kind = pin.style.unit
    if unit == "bytes" and (kind == "percent" or (kind == "number" and pin.style.suffix)):
        return f'the pin "{pin.text}" needs a byte unit (GB, GiB, ...) or a plain number'
    if unit != "bytes" and kind == "bytes":
        return f'the pin "{pin.text}" is in bytes'
    if unit in ("parameters", "FLOPs") and kind == "percent":
        return f'the pin "{pin.text}" is a percentage'
    return None


def judge(figure: Figure, tolerance: float, diags: Diagnostics) -> None:
    """Set a computed figure's state and report it if stale or failed."""
    assert figure.call is not None
    where = (figure.page.source, figure.expression.line, figure.expression.column)
    if figure.value is None:
        figure.state = "failed"
        diags.add(*where, "figure.failed", f"{figure.call.text()} failed: {figure.error}")
    elif figure.pin is None:
        figure.state = "unpinned"
    elif pins.satisfies(figure.value, figure.pin, tolerance):
        figure.state = "verified"
    else:
        figure.state = "stale"
        diags.add(*where, "figure.stale",
                  f"{figure.call.text()} is {pins.exact(figure.value)} ({pins.compact(figure.value, figure.unit)}); "
                  f"the page says {figure.pin.text}")
