"""Module expressions: ``"nn.Conv2d(64, 128, 3)"`` built without registration.

The expression is parsed, not evaluated: only calls of ``nn.`` classes that
are ``nn.Module`` subclasses, with literal arguments (numbers, strings,
booleans, None, tuples, lists), arithmetic on literal numbers
(``nn.Linear(768, 4 * 768)``, bounded by ``kb.literals``) and nested module
expressions, are accepted.
"""

from __future__ import annotations

import ast
from typing import Any

from torch import nn

from kb.literals import LiteralError, arithmetic, bounded, negate
from kb.runtime.errors import RegistryError


class ModuleExpressionError(RegistryError):
    """An expression kb will not build."""


def build_module(text: str) -> nn.Module:
    """Build the module an ``nn.`` expression describes (on the current default device)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ModuleExpressionError(f"{text} is not a valid expression: {error.msg}") from None
    value = _evaluate(tree.body, text)
    if not isinstance(value, nn.Module):
        raise ModuleExpressionError(f"{text} does not build a module")
    return value


_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}


def _evaluate(node: ast.AST, text: str) -> Any:
    try:
        return _value(node, text)
    except LiteralError as error:
        raise ModuleExpressionError(f"{text}: {error}") from None


def _value(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return bounded(node.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, text)
        return negate(operand) if isinstance(node.op, ast.USub) else bounded(operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return arithmetic(_ARITHMETIC[type(node.op)], _evaluate(node.left, text), _evaluate(node.right, text))
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_evaluate(item, text) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "nn"):
            raise ModuleExpressionError(f"{text}: only nn.<Module>(...) calls are allowed")
        cls = getattr(nn, func.attr, None)
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
            raise ModuleExpressionError(f"{text}: nn.{func.attr} is not a module class")
        args = [_evaluate(arg, text) for arg in node.args]
        kwargs = {kw.arg: _evaluate(kw.value, text) for kw in node.keywords if kw.arg is not None}
        try:
            return cls(*args, **kwargs)
        except Exception as error:  # the module's own argument checks
            raise ModuleExpressionError(f"cannot build {text}: {error}") from None
    raise ModuleExpressionError(f"{text}: {ast.unparse(node)} is not allowed in a module expression")
