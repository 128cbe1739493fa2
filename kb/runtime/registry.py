"""The registry of models and figure functions.

A knowledge base's ``macros/`` package registers its models and figure
functions with the same decorators kb's built-ins use::

    from kb.runtime import figure, model

    @model("resnet50", source="He et al. 2015; torchvision's resnet50 layout")
    def resnet50() -> nn.Module: ...

    @figure(unit="parameters")
    def embedding_params(module: nn.Module) -> int: ...

Models are built on PyTorch's ``meta`` device, so even a 405-billion-parameter
configuration takes no memory. The first argument of a figure call names a
registered model or is a module expression over ``torch.nn``
(``"nn.Conv2d(64, 128, 3)"``).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from torch import nn

from kb.protocol import UNITS, FigureInfo, Manifest, ModelInfo
from kb.runtime.errors import RegistryError
from kb.runtime.meta_build import on_meta
from kb.runtime.module_expressions import build_module

Function = TypeVar("Function", bound=Callable[..., Any])


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: how to build it and where its configuration comes from."""

    name: str
    build: Callable[[], nn.Module]
    source: str
    description: str
    names: tuple[str, ...] = ()  # how prose names the model ("Llama 3.1 405B"): not quantities


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure function and what its values measure."""

    name: str
    function: Callable[..., Any]
    unit: str
    description: str
    takes_model: bool
    parameters: tuple[str, ...]


@dataclass
class Registry:
    """Models and figure functions by name, and the models built so far."""

    models: dict[str, ModelSpec] = field(default_factory=dict)
    figures: dict[str, FigureSpec] = field(default_factory=dict)
    _built: dict[str, nn.Module] = field(default_factory=dict)

    def model(self, name: str | None = None, *, source: str = "", description: str = "",
              names: tuple[str, ...] | list[str] = ()) -> Callable[[Callable[[], nn.Module]], Callable[[], nn.Module]]:
        """Register a function that returns an ``nn.Module`` under ``name`` (default: the function's name).

        ``names`` are how pages write the model's name ("Llama 3.1 405B", "Mixtral 8x7B"): the
        check for unaccounted quantities does not take the "405B" of such a name for a size."""

        def register(build: Callable[[], nn.Module]) -> Callable[[], nn.Module]:
            key = name or build.__name__
            if key in self.models:
                raise RegistryError(f"model {key} is registered twice")
            doc = description or (inspect.getdoc(build) or "").split("\n")[0]
            self.models[key] = ModelSpec(key, build, source, doc, tuple(names))
            return build

        return register

    def figure(self, name: str | None = None, *, unit: str = "number", description: str = "") -> Callable[[Function], Function]:
        """Register a figure function. If its first parameter is called ``model``,
        the figure's first argument is a model name, resolved to a built module."""
        if unit not in UNITS:
            raise RegistryError(f"unit must be one of {', '.join(UNITS)}, got {unit}")

        def register(function: Function) -> Function:
            key = name or function.__name__
            if key in self.figures:
                raise RegistryError(f"figure function {key} is registered twice")
            names = tuple(inspect.signature(function).parameters)
            doc = description or (inspect.getdoc(function) or "").split("\n")[0]
            self.figures[key] = FigureSpec(key, function, unit, doc, bool(names) and names[0] == "model", names)
            return function

        return register

    def build(self, ref: str) -> nn.Module:
        """The module a figure names: a registered model or an ``nn.`` expression, on the meta device.

        Built modules are kept, so figures about the same model share one build.
        Figure functions must not change the module they are given.
        """
        if ref in self._built:
            return self._built[ref]
        if ref.startswith("nn."):
            with on_meta():
                module = build_module(ref)
        else:
            spec = self.models.get(ref)
            if spec is None:
                raise RegistryError(self.unknown_model_message(ref))
            with on_meta():
                module = spec.build()
        self._built[ref] = module
        return module

    def unknown_model_message(self, ref: str) -> str:
        """``no model "resnet5"; did you mean "resnet50"?``"""
        close = difflib.get_close_matches(ref, list(self.models), n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f'no model "{ref}" is registered{hint} (or write a module expression such as "nn.Linear(768, 3072)")'

    def compute(self, function: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call a figure function by name with the arguments a page gave it."""
        spec = self.figures.get(function)
        if spec is None:
            raise RegistryError(f"no figure function {function}")
        if spec.takes_model:
            if not args or not isinstance(args[0], str):
                raise RegistryError(f"{function}() needs a model name or an nn. expression as its first argument")
            args = [self.build(args[0]), *args[1:]]
        return spec.function(*args, **kwargs)

    def manifest(self) -> Manifest:
        """What the check needs to know without importing torch: the names, units and sources."""
        return Manifest(
            figures={k: FigureInfo(f.unit, f.takes_model, f.parameters, f.description) for k, f in self.figures.items()},
            models={k: ModelInfo(m.source, m.description, m.names) for k, m in self.models.items()},
        )


REGISTRY = Registry()
model = REGISTRY.model
figure = REGISTRY.figure


def build_model(ref: str) -> nn.Module:
    """The registered model (or ``nn.`` expression) ``ref``, built on the meta device."""
    return REGISTRY.build(ref)


def build_transformers(model_class: type, config: Any) -> nn.Module:
    """A transformers model from its configuration, with no weights and no download.

    Builds on the meta device (never accelerate's ``init_empty_weights``, which
    breaks weight tying) and asserts that input and output embeddings are one
    tensor when the configuration ties them, so a tied model is never counted twice.
    """
    with on_meta():
        module = model_class(config)
    tied = getattr(config, "tie_word_embeddings", False)
    get_out = getattr(module, "get_output_embeddings", None)
    head = get_out() if get_out else None
    if tied and head is not None:
        embeddings = module.get_input_embeddings()
        if head.weight is not embeddings.weight:
            raise RegistryError(f"{model_class.__name__}: the configuration ties word embeddings but the built model does not")
    return module  # type: ignore[no-any-return]
