"""Figure functions for number formats (content/concepts/number-formats.md and the pages that
store weights in them): each format described by its bit fields; wherever torch has the dtype,
the range and precision come from ``torch.finfo`` / ``torch.iinfo`` and the bit fields are
checked against them. Also how much larger a binary unit (GiB) is than its decimal namesake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from kb.runtime import RegistryError, figure

# --------------------------------------------------------------------------------------
# Number formats
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """A number format's bit fields. ``dtype``: the torch dtype, where torch has one (its
    ``finfo``/``iinfo`` then gives range and precision). Floats without a torch dtype give
    ``bias`` and ``max_value`` from their specification; integers have ``mantissa`` 0."""

    sign: int
    exponent: int  # floats: exponent bits
    mantissa: int  # floats: stored fraction bits; integers and tables: the bits after the sign
    kind: str  # "float", "int" or "table" (a lookup of 2^bits values, nf4)
    dtype: str | None = None
    bias: int = 0
    max_value: float = 0.0
    storage_bits: int = 0  # bits a stored element takes when it differs from the fields (tf32: 32)

    @property
    def bits(self) -> int:
        return self.sign + self.exponent + self.mantissa


FORMATS: dict[str, NumberFormat] = {
    "fp32": NumberFormat(1, 8, 23, "float", dtype="float32"),
    # TF32 is a tensor-core mode for fp32 tensors: fp32's 8 exponent bits, fp16's 10 mantissa bits,
    # stored in 32 bits. Its largest value is (2 - 2^-10) x 2^127.
    "tf32": NumberFormat(1, 8, 10, "float", bias=127, max_value=(2 - 2**-10) * 2.0**127, storage_bits=32),
    "bf16": NumberFormat(1, 8, 7, "float", dtype="bfloat16"),
    "fp16": NumberFormat(1, 5, 10, "float", dtype="float16"),
    "fp8-e4m3": NumberFormat(1, 4, 3, "float", dtype="float8_e4m3fn"),
    "fp8-e5m2": NumberFormat(1, 5, 2, "float", dtype="float8_e5m2"),
    # OCP microscaling: FP4 E2M1 elements (no infinities or NaN, largest 1.5 x 2^2 = 6) and the
    # E8M0 shared scale, a bare power of two from 2^-127 to 2^127
    "fp4-e2m1": NumberFormat(1, 2, 1, "float", bias=1, max_value=6.0),
    "e8m0": NumberFormat(0, 8, 0, "float", dtype="float8_e8m0fnu"),
    "int8": NumberFormat(1, 0, 7, "int", dtype="int8"),
    "int4": NumberFormat(1, 0, 3, "int"),
    "nf4": NumberFormat(0, 0, 4, "table"),
}
FORMATS["mxfp4"] = FORMATS["fp4-e2m1"]  # the element of an MXFP4 block

# QLoRA's 4-bit NormalFloat: quantiles of a standard normal, asymmetric so that zero is exact
# (bitsandbytes' create_normal_map with offset 0.9677083).
_NF4_OFFSET = 0.9677083


def nf4_levels() -> torch.Tensor:
    """The 16 values of NF4, normalised to [-1, 1], computed as QLoRA defines them."""
    positive = torch.special.ndtri(torch.linspace(_NF4_OFFSET, 0.5, 9, dtype=torch.float64)[:-1])
    negative = -torch.special.ndtri(torch.linspace(_NF4_OFFSET, 0.5, 8, dtype=torch.float64)[:-1])
    levels = torch.cat([positive, torch.zeros(1, dtype=torch.float64), negative]).sort().values
    return levels / levels.abs().max()


def _format(name: str) -> NumberFormat:
    if name not in FORMATS:
        raise RegistryError(f"unknown number format {name}; formats are {', '.join(FORMATS)}")
    chosen = FORMATS[name]
    if chosen.dtype is not None:  # the bit fields must agree with torch's own description
        dtype = getattr(torch, chosen.dtype)
        if chosen.kind == "int":
            info = torch.iinfo(dtype)
            ok = info.bits == chosen.bits
        else:
            finfo = torch.finfo(dtype)
            ok = finfo.bits == chosen.bits and finfo.eps == 2.0 ** -chosen.mantissa
        if not ok:
            raise RegistryError(f"{name}: the bit fields disagree with torch's {chosen.dtype}")
    return chosen


@figure(unit="number")
def number_format_bits(fmt: str, field: str = "total") -> int:
    """Bits of a number format: ``total``; ``sign``; for a float ``exponent`` and ``mantissa`` (the
    stored fraction bits); for an integer or a table ``value`` (the bits after the sign); or
    ``storage`` (bits one element occupies in memory: tf32 is held in 32)."""
    chosen = _format(fmt)
    fields = {"total": chosen.bits, "sign": chosen.sign, "storage": chosen.storage_bits or chosen.bits}
    if chosen.kind == "float":
        fields |= {"exponent": chosen.exponent, "mantissa": chosen.mantissa}
    else:
        fields |= {"value": chosen.bits - chosen.sign}
    if field not in fields:
        raise RegistryError(f"{fmt} has no field {field}; it has {', '.join(fields)}")
    return fields[field]


@figure(unit="bytes")
def number_format_bytes(fmt: str) -> float:
    """Bytes one element occupies in memory, without any scale (a 4-bit element: half a byte)."""
    return number_format_bits(fmt, "storage") / 8


@figure(unit="number")
def number_format_max(fmt: str) -> float:
    """The largest finite value (torch.finfo/iinfo where torch has the dtype; NF4: the top
    level of its normalised table, 1)."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        return float(nf4_levels().max())
    if chosen.kind == "int":
        return float(torch.iinfo(getattr(torch, chosen.dtype)).max) if chosen.dtype else float(2 ** (chosen.bits - 1) - 1)
    if chosen.dtype:
        return float(torch.finfo(getattr(torch, chosen.dtype)).max)
    return chosen.max_value


@figure(unit="number")
def number_format_min(fmt: str) -> float:
    """The most negative value (0 for an unsigned format)."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        return float(nf4_levels().min())
    if chosen.kind == "int":
        return float(torch.iinfo(getattr(torch, chosen.dtype)).min) if chosen.dtype else float(-(2 ** (chosen.bits - 1)))
    return -number_format_max(fmt) if chosen.sign else float(torch.finfo(getattr(torch, str(chosen.dtype))).min)


@figure(unit="number")
def number_format_smallest_normal(fmt: str) -> float:
    """The smallest positive normal value (torch.finfo's ``smallest_normal``); for an integer, 1;
    for NF4 the smallest positive level."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        levels = nf4_levels()
        return float(levels[levels > 0].min())
    if chosen.kind == "int":
        return 1.0
    if chosen.dtype:
        return float(torch.finfo(getattr(torch, chosen.dtype)).smallest_normal)
    return 2.0 ** (1 - chosen.bias)


@figure(unit="number")
def number_format_smallest_subnormal(fmt: str) -> float:
    """The smallest positive value at all: the smallest normal times epsilon, where the format has
    subnormals (all the floats here but E8M0, which has no mantissa, and TF32, whose subnormal
    handling NVIDIA does not specify: both refused)."""
    chosen = _format(fmt)
    if chosen.kind != "float" or chosen.mantissa == 0 or chosen.storage_bits:
        raise RegistryError(f"{fmt} has no subnormal values to report")
    return number_format_smallest_normal(fmt) * number_format_epsilon(fmt)


@figure(unit="number")
def number_format_epsilon(fmt: str) -> float:
    """Machine epsilon: the gap between 1 and the next larger value, 2^-mantissa bits
    (torch.finfo's ``eps``). Relative rounding error is at most half of it. Integers: 1."""
    chosen = _format(fmt)
    if chosen.kind == "float":
        return float(torch.finfo(getattr(torch, chosen.dtype)).eps) if chosen.dtype else 2.0 ** -chosen.mantissa
    if chosen.kind == "int":
        return 1.0
    raise RegistryError(f"{fmt} is a table of levels, not evenly spaced: it has no epsilon")


@figure(unit="number")
def number_format_decimal_digits(fmt: str) -> float:
    """Significant decimal digits a float keeps: (mantissa bits + 1) x log10(2)."""
    chosen = _format(fmt)
    if chosen.kind != "float":
        raise RegistryError(f"{fmt} is not a floating-point format")
    return (chosen.mantissa + 1) * math.log10(2)


@figure(unit="number")
def number_format_levels(fmt: str) -> int:
    """Distinct values the format can represent (+0 and -0 counted once; infinities and NaN not)."""
    chosen = _format(fmt)
    if chosen.bits > 8:
        raise RegistryError(f"{fmt} has too many values to list; this counts formats of 8 bits or fewer")
    if chosen.kind == "table":
        return len(set(nf4_levels().tolist()))
    if chosen.kind == "int":
        return int(2**chosen.bits)
    if chosen.dtype:
        codes = torch.arange(256, dtype=torch.uint8).view(getattr(torch, chosen.dtype)).float()
        return len({v for v in codes.tolist() if math.isfinite(v)})
    if fmt in ("fp4-e2m1", "mxfp4"):
        return len(set(_e2m1_values()))
    raise RegistryError(f"cannot list the values of {fmt}")


def _e2m1_values() -> list[float]:
    """Every FP4 E2M1 value, decoded from its 16 codes (sign, 2 exponent bits with bias 1, 1 mantissa)."""
    values = []
    for code in range(16):
        sign = -1.0 if code & 0b1000 else 1.0
        exponent, mantissa = (code >> 1) & 0b11, code & 0b1
        magnitude = mantissa * 0.5 if exponent == 0 else (1 + mantissa / 2) * 2.0 ** (exponent - 1)
        values.append(sign * magnitude + 0.0)
    return values


_PREFIXES = {"KiB": 1, "MiB": 2, "GiB": 3, "TiB": 4, "PiB": 5}


@figure(unit="number")
def binary_unit_excess(unit: str = "GiB") -> float:
    """How much larger a binary unit is than its decimal namesake: GiB / GB - 1 = 2^30 / 10^9 - 1
    (pin it as a percentage)."""
    if unit not in _PREFIXES:
        raise RegistryError(f"unit must be one of {', '.join(_PREFIXES)}, got {unit}")
    power = _PREFIXES[unit]
    return float(2 ** (10 * power) / 10 ** (3 * power) - 1)
