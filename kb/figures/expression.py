"""Reading a figure expression: each ``{{ ... }}`` of a page must be one call of
a registered figure function with plain values (strings, numbers, lists,
mappings, and arithmetic on literal numbers).

The expression is parsed with Jinja's parser and its syntax tree is judged
by kb; nothing of it is ever evaluated or rendered. So no expression can run
code, reach an attribute of any Python object, or take long: its length and
its numbers are bounded, and arithmetic on numbers goes through
``kb.literals``. Every problem points at its own ``{{``.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kb.kept import read_kept, write_kept
from kb.literals import LiteralError, arithmetic, bounded, negate

MAX_LENGTH = 4_000  # characters between {{ and }}; a figure is one call
_PARSER = ImmutableSandboxedEnvironment(autoescape=False)  # used to parse only, never to render
_ARITHMETIC = {nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/", nodes.FloorDiv: "//",
               nodes.Mod: "%", nodes.Pow: "**"}
_ONE_CALL = 'must be one call of a figure function, such as params("resnet50")'


@dataclass(frozen=True)
class Call:
    """A call of a figure function, as written: ``params("resnet50", expect="25.6M")``."""

    function: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...] = field(default=())

    def kwarg(self, name: str) -> Any:
        return dict(self.kwargs).get(name)

    def without(self, *names: str) -> Call:
        return Call(self.function, self.args, tuple((k, v) for k, v in self.kwargs if k not in names))

    def text(self) -> str:
        """The call as a page would write it: ``params("bert-base", dtype="bf16")``."""
        parts = [_literal(a) for a in self.args] + [f"{k}={_literal(v)}" for k, v in self.kwargs]
        return f"{self.function}({', '.join(parts)})"


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


class ExpressionError(Exception):
    """A figure expression kb will not read; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_call(text: str, functions: Iterable[str]) -> Call:
    """The figure call an expression makes, or ExpressionError saying why it is not one.
    Each distinct expression is parsed once per set of function names: a knowledge base
    repeats the same figures on many pages, and a build reads every page (within
    ``kept_readings``, once across runs)."""
    key = (text, tuple(sorted(set(functions))))
    outcome = _READINGS.get(key)
    if outcome is None:
        if len(_READINGS) >= _MAX_READINGS:
            _READINGS.clear()
        try:
            outcome = _read(text, list(key[1]))
        except ExpressionError as error:
            outcome = (error.code, str(error))
        _READINGS[key] = outcome
    _USED.add(key)
    if isinstance(outcome, tuple):
        raise ExpressionError(*outcome)
    return outcome


_READINGS: dict[tuple[str, tuple[str, ...]], Call | tuple[str, str]] = {}  # (text, names) -> call or (code, message)
_MAX_READINGS = 65_536
_USED: set[tuple[str, tuple[str, ...]]] = set()  # the readings used within ``kept_readings``


@contextlib.contextmanager
def kept_readings(file: Path) -> Iterator[None]:
    """Within the block, expressions read by an earlier run (kept in ``file``, a pickle trusted
    as the cache folder is) are not parsed again; afterwards the file keeps the readings the
    block used. A file that cannot be read or written changes nothing but speed."""
    kept = _load(file)
    _READINGS.update(kept)
    _USED.clear()
    try:
        yield
    finally:
        used = {key: _READINGS[key] for key in _USED if key in _READINGS}
        _USED.clear()
        if used.keys() != kept.keys():
            write_kept(file, {"readings": used})


def _load(file: Path) -> dict[tuple[str, tuple[str, ...]], Call | tuple[str, str]]:
    readings = read_kept(file).get("readings")
    if not isinstance(readings, dict):
        return {}
    return {key: outcome for key, outcome in readings.items() if _sound(key, outcome)}


def _sound(key: Any, outcome: Any) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], tuple)
            and (isinstance(outcome, Call) or (isinstance(outcome, tuple) and len(outcome) == 2
                                               and all(isinstance(part, str) for part in outcome))))


def _read(text: str, names: list[str]) -> Call:
    shown = text if len(text) <= 80 else text[:77] + "..."
    if len(text) > MAX_LENGTH:
        raise ExpressionError("figure.syntax", f"{{{{ {shown} }}}} is {len(text):,} characters long; a figure is one call "
                                               f"of at most {MAX_LENGTH:,}")
    try:
        parser = Parser(_PARSER, text, state="variable")  # as Jinja's compile_expression parses, without compiling
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
    except TemplateSyntaxError as error:
        raise ExpressionError("figure.syntax", f"{{{{ {shown} }}}} is not a valid expression: {error.message}") from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:  # nesting, or a number Python refuses
        raise ExpressionError("figure.syntax", f"{{{{ {shown} }}}} cannot be read: {type(error).__name__}") from None
    return _Reader(shown, names).call(expression)


class _Reader:
    """Judges the syntax tree of one expression."""

    def __init__(self, shown: str, names: list[str]) -> None:
        self.shown = shown
        self.names = names

    def call(self, node: nodes.Node) -> Call:
        self._refuse_reaching(node)
        if isinstance(node, nodes.Name):
            raise ExpressionError("figure.unknown", self._unknown(node.name))
        if not isinstance(node, nodes.Call):
            raise ExpressionError("figure.syntax", f"{{{{ {self.shown} }}}} {_ONE_CALL}")
        function = node.node
        self._refuse_reaching(function)
        if not isinstance(function, nodes.Name):
            raise ExpressionError("figure.syntax", f"{{{{ {self.shown} }}}} {_ONE_CALL}")
        if function.name not in self.names:
            raise ExpressionError("figure.unknown", self._unknown(function.name))
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise ExpressionError("figure.syntax", f"{function.name}() takes its values written out, not *args or **kwargs")
        args = tuple(self.value(arg, function.name) for arg in node.args)
        kwargs = tuple(sorted((kw.key, self.value(kw.value, function.name)) for kw in node.kwargs))
        return Call(function.name, args, kwargs)

    def value(self, node: nodes.Node, function: str) -> Any:
        """A plain value: a literal, a list, tuple or mapping of them, or arithmetic on numbers."""
        self._refuse_reaching(node)
        if isinstance(node, nodes.Const):
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return self._number(lambda: bounded(node.value))
            if node.value is None or isinstance(node.value, (str, bool)):
                return node.value
        elif isinstance(node, (nodes.List, nodes.Tuple)):
            items = [self.value(item, function) for item in node.items]
            return items if isinstance(node, nodes.List) else tuple(items)
        elif isinstance(node, nodes.Dict):
            pairs = {}
            for pair in node.items:
                key = self.value(pair.key, function)
                if not isinstance(key, str):
                    raise ExpressionError("figure.syntax", f"{function}() takes mappings with text keys")
                pairs[key] = self.value(pair.value, function)
            return pairs
        elif isinstance(node, nodes.Neg):
            operand = self.value(node.node, function)
            return self._number(lambda: negate(operand))
        elif isinstance(node, nodes.Pos):
            operand = self.value(node.node, function)
            return self._number(lambda: bounded(operand))
        elif type(node) in _ARITHMETIC:
            assert isinstance(node, nodes.BinExpr)
            left, right = self.value(node.left, function), self.value(node.right, function)
            return self._number(lambda: arithmetic(_ARITHMETIC[type(node)], left, right))
        elif isinstance(node, nodes.Call):
            raise ExpressionError("figure.syntax", f"{function}() takes plain values, not another figure")
        elif isinstance(node, nodes.Name):
            if node.name in self.names:
                raise ExpressionError("figure.syntax", f"{function}() takes plain values, not another figure")
            raise ExpressionError("figure.unknown", self._unknown(node.name))
        raise ExpressionError("figure.syntax", f"{function}() takes plain values (strings, numbers, lists)")

    def _number(self, compute: Any) -> Any:
        try:
            return compute()
        except LiteralError as error:
            raise ExpressionError("figure.syntax", f"{{{{ {self.shown} }}}} cannot be read: {error}") from None

    def _refuse_reaching(self, node: nodes.Node) -> None:
        """An attribute, an item or a filter reaches into Python objects: the sandbox refuses it."""
        if isinstance(node, nodes.Getattr):
            raise ExpressionError("figure.sandbox", f"{{{{ {self.shown} }}}} is refused by the sandbox: "
                                                    f"a figure may not reach for an attribute ({node.attr})")
        if isinstance(node, (nodes.Getitem, nodes.Slice)):
            raise ExpressionError("figure.sandbox", f"{{{{ {self.shown} }}}} is refused by the sandbox: "
                                                    "a figure may not reach into a value with [...]")
        if isinstance(node, (nodes.Filter, nodes.Test)):
            raise ExpressionError("figure.sandbox", f"{{{{ {self.shown} }}}} is refused by the sandbox: "
                                                    f"a figure may not use the filter or test {node.name}")

    def _unknown(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names, n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; the figure functions are {', '.join(self.names)}"
        return f"{name} is not a figure function{hint}"
