"""Models and figure functions of the concept pages (content/concepts/).

- small models the pages build by hand (the MNIST MLP, logistic regression);
- fine-tuning set-ups with part of a model frozen, so trainable and total
  parameters, and the training memory freezing saves, are figures;
- EfficientNet-B7, written in plain PyTorch in torchvision's layout;
- initialization: the variance ``torch.nn.init`` actually gives (measured on
  a seeded CPU tensor) and the variance its formula promises.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from kb.runtime import RegistryError, build_transformers, figure, model

# ---------------------------------------------------------------------------
# Small models


@model("mnist-mlp", source="The three-layer perceptron of the seed note 'Hyperparameters vs. Parameters': "
       "784 inputs (28x28 pixels), hidden layers of 256 and 128 with ReLU, 10 outputs, biases everywhere")
def mnist_mlp() -> nn.Module:
    """The 784-256-128-10 MLP for MNIST digits."""
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


@model("mnist-logistic-regression", source="Multinomial logistic regression on MNIST: one weight per pixel and class "
       "(784 x 10) and one bias per class; softmax has no parameters")
def mnist_logistic_regression() -> nn.Module:
    """Softmax regression from 784 pixels to 10 classes."""
    return nn.Linear(784, 10)


@model("linear-regression-10", source="Ordinary linear regression with 10 input features: 10 coefficients and an intercept")
def linear_regression_10() -> nn.Module:
    """Linear regression on 10 features."""
    return nn.Linear(10, 1)


# ---------------------------------------------------------------------------
# Frozen set-ups: the flags are set at build time, so trainable_params,
# frozen_params, trainable_fraction and training_memory see them.


@model("resnet50-linear-probe", names=["ResNet-50 linear probe"],
       source="He et al. 2015, torchvision's resnet50 layout; every parameter frozen except the final "
       "fully connected layer (2048 x 1000 + 1000), the usual linear-probe / head-only fine-tuning set-up")
def resnet50_linear_probe() -> nn.Module:
    """ResNet-50 with its backbone frozen and only the classifier head trainable."""
    from .vision import resnet50

    net = resnet50()
    net.requires_grad_(False)
    head = list(net.children())[-1]
    if not isinstance(head, nn.Linear):
        raise RegistryError("the last module of resnet50 is not its fully connected head")
    head.requires_grad_(True)
    return net


@model("bert-base-frozen-encoder", names=["BERT-base classifier"],
       source="Devlin et al. 2019, BERT-Base configuration; transformers BertForSequenceClassification with "
       "2 labels; the embeddings and the 12 encoder layers frozen, the pooler and the classification head trainable")
def bert_base_frozen_encoder() -> nn.Module:
    """A two-class BERT-base classifier whose embeddings and encoder are frozen."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig()
    config.num_labels = 2
    net = build_transformers(BertForSequenceClassification, config)
    net.get_submodule("bert.embeddings").requires_grad_(False)
    net.get_submodule("bert.encoder").requires_grad_(False)
    return net


@model("bert-base-classifier", source="Devlin et al. 2019, BERT-Base configuration; transformers "
       "BertForSequenceClassification with 2 labels, everything trainable (full fine-tuning)")
def bert_base_classifier() -> nn.Module:
    """A two-class BERT-base classifier, fully trainable."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig()
    config.num_labels = 2
    return build_transformers(BertForSequenceClassification, config)


# ---------------------------------------------------------------------------
# EfficientNet-B7 (Tan and Le 2019) in torchvision's layout.


def _divisible(value: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of 8, never more than 10% below it (torchvision's rule)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _conv_bn(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                               nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.SiLU(inplace=True))
    return nn.Sequential(*layers)


class _SqueezeExcite(nn.Module):
    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):  # type: ignore[no-untyped-def]
        return x * torch.sigmoid(self.fc2(torch.nn.functional.silu(self.fc1(self.pool(x)))))


class _MBConv(nn.Module):
    """Inverted residual: 1x1 expansion, depthwise k x k, squeeze-and-excitation, 1x1 projection."""

    def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int) -> None:
        super().__init__()
        wide = _divisible(cin * expand)
        layers: list[nn.Module] = []
        if wide != cin:
            layers.append(_conv_bn(cin, wide, 1))
        layers += [_conv_bn(wide, wide, kernel, stride, groups=wide), _SqueezeExcite(wide, max(1, cin // 4)),
                   _conv_bn(wide, cout, 1, act=False)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):  # type: ignore[no-untyped-def]
        y = self.block(x)
        return x + y if self.residual else y


# (expansion, kernel, stride, input channels, output channels, blocks) of EfficientNet-B0, table 1 of the paper.
_B0_STAGES = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
              (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]


def _efficientnet(width: float, depth: float, classes: int = 1000) -> nn.Module:
    stages = [(e, k, s, _divisible(i * width), _divisible(o * width), math.ceil(n * depth))
              for e, k, s, i, o, n in _B0_STAGES]
    layers: list[nn.Module] = [_conv_bn(3, stages[0][3], 3, stride=2)]
    for expand, kernel, stride, cin, cout, blocks in stages:
        layers.append(nn.Sequential(*[_MBConv(cin if b == 0 else cout, cout, expand, kernel, stride if b == 0 else 1)
                                      for b in range(blocks)]))
    last_in = stages[-1][4]
    layers.append(_conv_bn(last_in, 4 * last_in, 1))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * last_in, classes))


@model("efficientnet-b7", names=["EfficientNet-B7"], source="Tan and Le 2019, EfficientNet-B0 stages (table 1) scaled "
       "by width 2.0 and depth 3.1; layout of torchvision.models.efficientnet_b7 (whose weights list "
       "num_params 66,347,960)")
def efficientnet_b7() -> nn.Module:
    """EfficientNet-B7 as torchvision builds it."""
    return _efficientnet(2.0, 3.1)


# ---------------------------------------------------------------------------
# Initialization


def _initialize(scheme: str, weight: torch.Tensor, generator: torch.Generator) -> None:
    init = nn.init
    if scheme == "xavier_normal":
        init.xavier_normal_(weight, generator=generator)
    elif scheme == "xavier_uniform":
        init.xavier_uniform_(weight, generator=generator)
    elif scheme == "kaiming_normal":
        init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
    elif scheme == "kaiming_uniform":
        init.kaiming_uniform_(weight, nonlinearity="relu", generator=generator)
    elif scheme == "linear_default":  # what nn.Linear.reset_parameters does to its weight
        init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    elif scheme == "orthogonal":
        init.orthogonal_(weight, generator=generator)
    else:
        raise RegistryError(f"unknown scheme {scheme}; schemes are {', '.join(INIT_SCHEMES)}")


INIT_SCHEMES = ("xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform", "linear_default", "orthogonal")


@figure(unit="number")
def init_variance(scheme: str, fan_in: int, fan_out: int, seed: int = 0) -> float:
    """The variance of the entries torch.nn.init gives a (fan_out x fan_in) weight, measured on a
    seeded CPU tensor (schemes: xavier_normal, xavier_uniform, kaiming_normal, kaiming_uniform
    for ReLU, linear_default for nn.Linear's own initialization, orthogonal)."""
    if fan_in * fan_out > 2**24:
        raise RegistryError("keep the tensor under 16M entries")
    generator = torch.Generator().manual_seed(seed)
    weight = torch.empty(fan_out, fan_in)
    _initialize(scheme, weight, generator)
    return float(weight.double().var(unbiased=False))


@figure(unit="number")
def init_formula(scheme: str, fan_in: int, fan_out: int) -> float:
    """The variance a scheme's formula promises: Glorot 2/(fan_in + fan_out), He 2/fan_in,
    nn.Linear's default 1/(3 fan_in), orthogonal 1/max(fan_in, fan_out)."""
    if scheme.startswith("xavier"):
        return 2 / (fan_in + fan_out)
    if scheme.startswith("kaiming"):
        return 2 / fan_in
    if scheme == "linear_default":
        return 1 / (3 * fan_in)
    if scheme == "orthogonal":
        return 1 / max(fan_in, fan_out)
    raise RegistryError(f"unknown scheme {scheme}; schemes are {', '.join(INIT_SCHEMES)}")


@figure(unit="number")
def residual_init_std(std: float, layers: int) -> float:
    """GPT-2's scaled initialization of the projections that write into the residual stream:
    std / sqrt(2 x layers), two residual branches (attention and MLP) per layer."""
    if layers <= 0:
        raise RegistryError("layers must be positive")
    return std / math.sqrt(2 * layers)


# ---------------------------------------------------------------------------
# Parametric and non-parametric models; what normalization layers hold


@figure(unit="number")
def knn_stored_values(examples: int, features: int) -> int:
    """Numbers a k-nearest-neighbour model keeps: every training example's features and its label."""
    if examples < 0 or features < 0:
        raise RegistryError("examples and features must not be negative")
    return examples * features + examples


_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)


@figure(unit="parameters")
def norm_params(model: nn.Module) -> int:
    """Parameters of the normalization layers (the scale and shift of BatchNorm, LayerNorm, GroupNorm)."""
    return sum(int(p.numel()) for m in model.modules() if isinstance(m, _NORMS) for p in m.parameters(recurse=False))
