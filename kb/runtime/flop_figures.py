"""Built-in figures for compute: FLOPs measured by running the model.

A forward pass runs under PyTorch's ``FlopCounterMode`` on the meta device:
every operation sees shapes only, so a 405-billion-parameter model runs in
seconds without memory, and the count is what the model's own code executes,
not a formula about it. On meta tensors an operation only works out its
output's shape; a model whose code needs more than that (a branch on a
tensor's values, which transformers skips for fake tensors) runs again on fake
tensors, which wrap every operation in Python and count the same operations at
two to three times the cost (measured on Llama 3.1 8B and 70B). The counter
keeps only the total (``FlopCounterMode`` without its breakdown by module)
and charges 2 FLOPs per multiply-accumulate of matrix products and
convolutions (a bias add, a norm or an activation is not charged) and counts
attention as executed by PyTorch's reference kernel: every query against
every key of the window, the masked half of a causal mask included.

Mixture-of-experts models are refused: which experts a token visits depends
on the router's output, which a shape-only pass does not have.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from kb.runtime.builtin_figures import active_params, has_routed_experts
from kb.runtime.errors import RegistryError
from kb.runtime.registry import figure
from kb.runtime.remembered import remembered


@figure(unit="FLOPs")
def forward_flops(model: nn.Module, tokens: int = 0, batch: int = 1, image: int = 0, channels: int = 3) -> int:
    """FLOPs of one forward pass: over ``tokens`` tokens of each of ``batch`` sequences for a
    language model (the prefill), or ``batch`` images of ``image`` x ``image`` pixels."""
    _refuse_routing(model)
    if image:
        if tokens:
            raise RegistryError("give tokens (a language model) or image (a vision model), not both")
        return remembered(model, ("image", image, batch, channels),
                           lambda: _count(lambda fake: model(fake(torch.zeros(batch, channels, image, image)))))
    if tokens < 1 or batch < 1:
        raise RegistryError("forward_flops needs tokens= for a language model or image= for a vision model")
    return remembered(model, ("forward", tokens, batch),
                       lambda: _count(lambda fake: model(input_ids=fake(_ids(batch, tokens)), **_prefill_cache(model))))


@figure(unit="FLOPs")
def decode_flops(model: nn.Module, context: int, batch: int = 1) -> int:
    """FLOPs to generate one more token in each of ``batch`` sequences after ``context`` tokens,
    their keys and values cached (the prefill that fills the cache is not counted)."""
    _refuse_routing(model)
    if context < 1 or batch < 1:
        raise RegistryError(f"context and batch must be 1 or more, got {context} and {batch}")
    from transformers import DynamicCache

    def step(fake: Callable[[torch.Tensor], torch.Tensor], counter: Any) -> None:
        cache = DynamicCache(config=getattr(model, "config", None))
        model(input_ids=fake(_ids(batch, context)), past_key_values=cache, use_cache=True)
        with counter:
            model(input_ids=fake(_ids(batch, 1)), past_key_values=cache, use_cache=True)

    return remembered(model, ("decode", context, batch), lambda: _count(step, counted=False))


@figure(unit="FLOPs")
def flops_per_token(model: nn.Module, passes: int = 1) -> int:
    """2 FLOPs per token for each active parameter a token multiplies (``active_params`` without the
    embedding lookup) for a forward pass; ``passes=3``: forward and backward, the 6 of 6ND. Without
    the attention term that grows with the context."""
    if passes not in (1, 3):
        raise RegistryError(f"passes must be 1 (forward) or 3 (forward and backward), got {passes}")
    return 2 * passes * active_params(model, embedding=False)


def _refuse_routing(model: nn.Module) -> None:
    if has_routed_experts(model):
        raise RegistryError("cannot count FLOPs by running a mixture-of-experts model on shapes alone: which "
                            "experts a token visits depends on the router's output; use flops_per_token, "
                            "which charges the active parameters")


def _prefill_cache(model: nn.Module) -> dict[str, Any]:
    """A generative model's prefill as generation runs it: into an empty cache. It executes the same
    operations as a pass without one, and spares transformers a check on the values of position ids
    (for packed sequences) that meta tensors cannot answer."""
    config = getattr(model, "config", None)
    if config is None or not getattr(config, "use_cache", False) or not hasattr(model, "generate"):
        return {"use_cache": False}
    from transformers import DynamicCache

    return {"past_key_values": DynamicCache(config=config), "use_cache": True}


def _ids(batch: int, tokens: int) -> torch.Tensor:
    return torch.zeros(batch, tokens, dtype=torch.long, device="meta")


def _count(run: Callable[..., Any], counted: bool = True) -> int:
    """Run ``run(fake)`` (or ``run(fake, counter)`` when it places the counter itself) on meta
    tensors, or on fake tensors when the model's code cannot run on meta ones, and return the FLOPs
    counted."""
    try:
        return _counted(run, counted, lambda tensor: tensor.to("meta"))
    except RegistryError:
        raise
    except Exception:  # a data-dependent branch, most likely: fake tensors take the traced path
        pass
    from torch._subclasses.fake_tensor import FakeTensorMode

    try:
        with _quiet(), FakeTensorMode(allow_non_fake_inputs=True) as mode:
            return _counted(run, counted, lambda tensor: mode.from_tensor(tensor.to("meta")))
    except RegistryError:
        raise
    except Exception as error:  # the model's own code failed on shapes alone: say where
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RegistryError(f"the model's forward pass cannot run on shapes alone: {reason}") from None


def _counted(run: Callable[..., Any], counted: bool, fake: Callable[[torch.Tensor], torch.Tensor]) -> int:
    counter = _total_counter()  # a fresh one: a failed attempt leaves its partial count behind
    with torch.no_grad():
        if counted:
            with counter:
                run(fake)
        else:
            run(fake, counter)
    return int(counter.get_total_flops())


def _total_counter() -> Any:
    """A fresh counter of the total FLOPs (``get_total_flops``)."""
    return _total_counter_class()(display=False)


@functools.cache
def _total_counter_class() -> type:
    """PyTorch's ``FlopCounterMode`` without its breakdown by module, which kb never shows: the
    breakdown follows every module call with global hooks and made a counted pass a third slower.
    The same operations are counted with the same formulas (the total is all kb reads)."""
    from torch.utils import flop_counter

    mode_class = getattr(flop_counter, "_FlopCounterMode", None)
    if mode_class is None:  # another PyTorch's internals: the public counter counts the same
        return flop_counter.FlopCounterMode
    dispatch_mode: Callable[[Any], Any] = mode_class

    class TotalFlopCounter(flop_counter.FlopCounterMode):
        def __enter__(self) -> TotalFlopCounter:
            self.flop_counts.clear()
            self.mode = dispatch_mode(self)
            self.mode.__enter__()
            return self

        def __exit__(self, *exc: object) -> None:
            mode: Any = self.mode
            self.mode = None
            mode.__exit__(*exc)

        def _count_flops(self, func_packet: Any, out: Any, args: Any, kwargs: Any) -> Any:
            count = self.flop_registry.get(func_packet)
            if count is not None:
                self.flop_counts["Global"][func_packet] += count(*args, **kwargs, out_val=out)
            return out

    return TotalFlopCounter


@contextmanager
def _quiet() -> Iterator[None]:
    """Fake tensors log every failed operation at error level; a failure is reported once, by us."""
    logger = logging.getLogger("torch._subclasses.fake_tensor")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
