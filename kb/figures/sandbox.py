"""Figure expressions are read by a sandboxed Jinja environment that knows
only the registered figure functions.

Each ``{{ ... }}`` of a page is compiled on its own, so every problem points
at its own line and column. The functions available are stand-ins that
record the call (name and literal arguments); nothing is computed here, and
no attribute of any Python object is reachable: ``{{ ''.__class__ }}`` is
refused by Jinja's sandbox.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_ENV.globals.clear()  # no range, dict, cycler...: only the figure functions exist


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
    """The figure call an expression makes, or ExpressionError saying why it is not one."""
    names = sorted(functions)
    try:
        compiled = _ENV.compile_expression(text, undefined_to_none=False)
    except TemplateSyntaxError as error:
        raise ExpressionError("figure.syntax", f"{{{{ {text} }}}} is not a valid expression: {error.message}") from None
    unknown = sorted(meta.find_undeclared_variables(_ENV.parse("{{ " + text + " }}")) - set(names))
    if unknown:
        raise ExpressionError("figure.unknown", _unknown(f"'{unknown[0]}' is undefined", names))
    stubs = {name: _recorder(name) for name in names}
    try:
        result = compiled(**stubs)
    except SecurityError as error:
        raise ExpressionError("figure.sandbox", f"{{{{ {text} }}}} is refused by the sandbox: {error}") from None
    except UndefinedError as error:
        raise ExpressionError("figure.unknown", _unknown(str(error), names)) from None
    except ExpressionError:
        raise
    except Exception as error:  # arithmetic on literals and the like
        raise ExpressionError("figure.syntax", f"{{{{ {text} }}}} cannot be read: {error}") from None
    if isinstance(result, Undefined):  # an unsafe attribute, or a name that does not exist
        try:
            str(result)
        except SecurityError as error:
            raise ExpressionError("figure.sandbox", f"{{{{ {text} }}}} is refused by the sandbox: {error}") from None
        except UndefinedError as error:
            raise ExpressionError("figure.unknown", _unknown(str(error), names)) from None
    if not isinstance(result, Call):
        raise ExpressionError("figure.syntax", f"{{{{ {text} }}}} must be one call of a figure function, such as params(\"resnet50\")")
    return result


def _unknown(message: str, names: list[str]) -> str:
    # Jinja says: 'paramz' is undefined
    name = message.split("'")[1] if message.count("'") >= 2 else message
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; the figure functions are {', '.join(names)}"
    return f"{name} is not a figure function{hint}"


def _recorder(name: str) -> Callable[..., Call]:
    def record(*args: Any, **kwargs: Any) -> Call:
        for value in (*args, *kwargs.values()):
            if isinstance(value, Call):
                raise ExpressionError("figure.syntax", f"{name}() takes plain values, not another figure")
            if not _plain(value):
                raise ExpressionError("figure.syntax", f"{name}() takes plain values (strings, numbers, lists)")
        return Call(name, tuple(args), tuple(sorted(kwargs.items())))

    return record


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False
