"""Figures in pages: read each ``{{ ... }}``, judge its computed value against its pin.

Reading needs only the registry's manifest (names and units), which the
cache keeps, so a check with nothing changed never starts a worker.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.diagnostics import Diagnostics
from kb.figures import pins
from kb.figures.expression import Call, ExpressionError, read_call
from kb.model import Expression, Page, Source, State
from kb.protocol import FigureInfo, Manifest, ModelInfo

# Keyword arguments that belong to kb, not to the figure function.
PIN_ARGUMENT = "expect"
# A fact that cannot be computed (a rumoured size, a paper's training budget), stated with its source.
CITED = "cited"
# Model names shaped like sizes: "8x7B", "8x22B".
_MOE_NAME = r"\d+x\d+(?:\.\d+)?[KMBT]\b"


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
    state: State = State.FAILED
    source: str | None = None  # for a cited fact: where it comes from
    unknown_model: str | None = None  # the model it names, when no such model is registered
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """What the page shows: the pin when it holds, else the computed value in the pin's style."""
        if self.state is State.CITED and self.call is not None:
            return str(self.call.args[0])
        if self.value is None:
            return "?"
        if self.pin is not None:
            return self.pin.text.strip() if self.state is State.VERIFIED else pins.rewrite(self.pin, self.value)
        return default_display(self.value, self.unit)


def default_display(value: int | float, unit: str) -> str:
    """An unpinned value: counts in full (25,557,032), bytes and FLOPs in short form."""
    if unit == "bytes":
        return pins.compact(value, "bytes")
    if unit == "FLOPs":
        return pins.format_in(value, pins.Style(decimals=2, scientific=True))
    return pins.in_full(value)


def read_figures(page: Page, manifest: Manifest, diags: Diagnostics) -> list[Figure]:
    """Every figure of a page, with the problems of reading them reported."""
    figures = []
    functions = manifest.figures
    for expression in page.expressions:
        figure = Figure(page, expression)
        figures.append(figure)
        problem = _read(figure, functions, manifest.models)
        if problem:
            code, message = problem
            figure.error = message
            diags.add(page.source, expression.line, expression.column, code, message)
    return figures


def _read(figure: Figure, functions: dict[str, FigureInfo], models: dict[str, ModelInfo]) -> tuple[str, str] | None:
    expression = figure.expression
    if not expression.closed:
        return "figure.syntax", "{{ is not closed by }} on the same line"
    try:
        call = read_call(expression.text, [*functions, CITED])
    except ExpressionError as error:
        return error.code, str(error)
    if call.function == CITED:
        return _read_cited(figure, call)
    spec = functions[call.function]
    figure.unit = spec.unit
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
    if spec.takes_model and figure.call.args and isinstance(figure.call.args[0], str):
        name = figure.call.args[0]
        if not name.startswith("nn.") and name not in models:
            close = difflib.get_close_matches(name, list(models), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            figure.unknown_model = name
            return "figure.unknown", f'{figure.call.text()}: no model "{name}" is registered{hint}'
    return None


def _read_cited(figure: Figure, call: Call) -> tuple[str, str] | None:
    """``cited("1.8T", source="...")``: a stated fact whose source must be in the page's raw_sources."""
    figure.call = call
    value = call.args[0] if len(call.args) == 1 else None
    source = call.kwarg("source")
    extra = [k for k, _ in call.kwargs if k != "source"]
    if not isinstance(value, str) or not value.strip() or not isinstance(source, str) or not source.strip() or extra:
        return "figure.syntax", 'write a cited fact as cited("1.8T", source="...") with the source named in raw_sources'
    # A page whose front matter cannot be read has no raw_sources to look in: its front matter's
    # error is the one to report, not one per citation.
    if figure.page.usable and not _names_source(figure.page.meta.sources, source):
        return "figure.citation", f'{call.text()}: "{source}" is not among this page\'s raw_sources'
    figure.state, figure.source = State.CITED, source
    return None


def _names_source(sources: tuple[Source, ...], source: str) -> bool:
    """A source is named by a raw_sources entry's id, or found in what the entry says (case folded)."""
    wanted = source.strip().casefold()
    return any((entry.key or "").casefold() == wanted or wanted in entry.words().casefold() for entry in sources)


def report_unaccounted(page: Page, manifest: Manifest, diags: Diagnostics) -> None:
    """Warn about quantities in prose (175B, 16 GB, 12%) that are neither a figure nor a cited fact.

    Model names are not quantities: the names the registry gives its models
    ("Llama 3.1 405B") and names shaped like "8x7B" are skipped."""
    if not page.quantities:
        return
    names = [n for m in manifest.models.values() for n in m.names]
    pattern = re.compile("|".join([*(re.escape(n) for n in sorted(names, key=len, reverse=True)), _MOE_NAME]))
    for quantity in page.quantities:
        joined = quantity.before.rstrip() + " " + quantity.prose if quantity.before.strip() else quantity.prose
        start = len(joined) - len(quantity.prose) + quantity.column - 1
        end = start + len(quantity.text)
        if any(m.start() <= start and end <= m.end() for m in pattern.finditer(joined)):
            continue
        diags.add(page.source, quantity.line, quantity.column, "figure.unaccounted",
                  f'"{quantity.text}" is a quantity that is neither a figure nor a cited fact; compute it with a figure '
                  f'or write {{{{ cited("{quantity.text.strip()}", source="...") }}}}')


def report_unregistered(figures: list[Figure], manifest: Manifest, root: Path, diags: Diagnostics) -> None:
    """When pages name models and the knowledge base's ``macros/`` registered none, say so once,
    at macros/, with what to do (a folder whose __init__.py forgets to import its modules)."""
    unknown = [f for f in figures if f.error and f.unknown_model]
    if manifest.models or not unknown or not (root / "macros").is_dir():
        return
    first = unknown[0]
    shown = "macros/__init__.py" if (root / "macros" / "__init__.py").is_file() else "macros"
    diags.add(shown, 1, 1, "macros.empty",
              f'macros/ registers no model, yet pages name models ({first.page.source}:{first.expression.line} names '
              f'"{first.unknown_model}"); register them with @model and, in macros/__init__.py, import the modules '
              "that do (from . import models)")


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
        figure.state = State.FAILED
        diags.add(*where, "figure.failed", f"{figure.call.text()} failed: {figure.error}")
    elif figure.pin is None:
        figure.state = State.UNPINNED
    elif (holds := _holds(figure, tolerance, diags)) is None:
        figure.state = State.FAILED
    elif holds:
        figure.state = State.VERIFIED
    else:
        figure.state = State.STALE
        diags.add(*where, "figure.stale",
                  f"{figure.call.text()} is {pins.in_full(figure.value)} ({pins.compact(figure.value, figure.unit)}); "
                  f"the page says {figure.pin.text}")


def _holds(figure: Figure, tolerance: float, diags: Diagnostics) -> bool | None:
    """Whether a figure's value satisfies its pin; None (reported) when the two cannot be compared."""
    assert figure.pin is not None and figure.value is not None
    try:
        return pins.satisfies(figure.value, figure.pin, tolerance)
    except pins.PinError as error:
        figure.error = str(error)
        diags.add(figure.page.source, figure.expression.line, figure.expression.column, "figure.pin",
                  f'the pin "{figure.pin.text}" cannot be compared with the computed value: {error}')
        return None
