"""Reading a transformers decoder, for this knowledge base's figure functions: its text
configuration, its layers, and each layer's attention and feed-forward modules, whichever
names a model family gives them. Every failure is a RegistryError a page can show."""

from __future__ import annotations

from typing import Any

from torch import nn

from kb.runtime import RegistryError


def text_config(model: nn.Module) -> Any:
    config = getattr(model, "config", None)
    if config is None:
        raise RegistryError("the model has no transformers configuration")
    return config.get_text_config() if hasattr(config, "get_text_config") else config


def decoder_layers(model: nn.Module) -> list[nn.Module]:
    """The decoder layers: ``model.layers`` (Llama, Mixtral, DeepSeek, ...) or ``transformer.h`` (GPT-2)."""
    for path in ("model.layers", "transformer.h", "layers", "h"):
        node: Any = model
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                break
        if isinstance(node, nn.ModuleList):
            return list(node)
    raise RegistryError("cannot find the decoder layers (model.layers or transformer.h)")


def attention_module(layer: nn.Module) -> nn.Module:
    return _child(layer, ("self_attn", "attn", "attention"), "the layer has no attention module (self_attn or attn)")


def feed_forward_module(layer: nn.Module) -> nn.Module:
    return _child(layer, ("mlp", "block_sparse_moe", "feed_forward"), "the layer has no feed-forward module (mlp)")


def _child(layer: nn.Module, names: tuple[str, ...], missing: str) -> nn.Module:
    """The first of ``names`` that is a submodule of ``layer`` (model families name them differently)."""
    for name in names:
        module = getattr(layer, name, None)
        if isinstance(module, nn.Module):
            return module
    raise RegistryError(missing)


def count_params(module: nn.Module) -> int:
    return sum(int(p.numel()) for p in module.parameters())
