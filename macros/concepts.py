"""Models and figure functions of the concept pages (parameters, hyperparameters,
buffers, initialization, parametric and non-parametric models).

- small models the pages build by hand (the MNIST MLP, logistic regression);
- fine-tuning set-ups with part of a model frozen, so trainable and total
  parameters, and the training memory freezing saves, are figures;
- EfficientNet-B7, written in plain PyTorch in torchvision's layout;
- initialization: the variance ``torch.nn.init`` actually gives (measured on
  a CPU tensor drawn from a fixed random seed) and the variance its formula promises;
- hyperparameters: how far one Adam step moves a hidden layer's output as the
  layer gets wider, with and without the maximal-update parametrisation (muP),
  and how the noise of a minibatch gradient falls with the batch size;
- the arithmetic of a k-nearest-neighbour query.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from kb.runtime import RegistryError, build_transformers, figure, model

# ---------------------------------------------------------------------------
# Small models


@model("mnist-mlp", source="The three-layer perceptron of the AIDefence Team's page 'Hyperparameters vs. Parameters' (2024): "
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
    CPU tensor drawn from a fixed random seed (schemes: xavier_normal, xavier_uniform, kaiming_normal, kaiming_uniform
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


@figure(unit="FLOPs")
def matmul_flops(rows: int, inner: int, cols: int) -> int:
    """FLOPs of a (rows x inner) by (inner x cols) matrix product: one multiply and one add per
    multiply-accumulate, 2 x rows x inner x cols. A k-nearest-neighbour query against n stored
    examples of d features computes its distances this way (rows 1, inner d, cols n); a linear
    layer's forward pass for one input is (1, fan_in, fan_out)."""
    if min(rows, inner, cols) < 0:
        raise RegistryError("shapes must not be negative")
    return 2 * rows * inner * cols


# ---------------------------------------------------------------------------
# Hyperparameters: what changes with width and with the batch size


@figure(unit="number")
def mup_hidden_lr(lr: float, base_width: int, width: int) -> float:
    """The Adam learning rate of a hidden (width x width) weight under the maximal-update
    parametrisation (Yang et al. 2022, table 3): tuned at ``base_width``, it scales as 1/width."""
    if base_width <= 0 or width <= 0:
        raise RegistryError("widths must be positive")
    return lr * base_width / width


@figure(unit="number")
def adam_output_shift(width: int, lr: float, base_width: int = 0, seed: int = 0) -> float:
    """How far one Adam step moves a hidden layer's output, relative to the output's own size.

    A (width x width) layer initialised with standard deviation 1/sqrt(width) (so its output
    has entries of size about 1 for an input of unit entries) takes one Adam step on the loss
    v . (W x) for random x and v, with learning rate ``lr`` (standard parametrisation) or, when
    ``base_width`` is given, ``lr x base_width / width`` (muP's rule for hidden weights). Returns
    RMS(W_after x - W_before x) / RMS(W_before x), measured on CPU tensors from a fixed seed."""
    if not 0 < width <= 4096:
        raise RegistryError("width must be between 1 and 4096")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(width, generator=generator)
    v = torch.randn(width, generator=generator)
    weight = nn.Parameter(torch.randn(width, width, generator=generator) / math.sqrt(width))
    rate = lr * base_width / width if base_width else lr
    optimizer = torch.optim.Adam([weight], lr=rate)
    before = (weight @ x).detach()
    (v @ (weight @ x)).backward()  # type: ignore[no-untyped-call]
    optimizer.step()
    after = (weight @ x).detach()
    return float((after - before).pow(2).mean().sqrt() / before.pow(2).mean().sqrt())


def _regression_gradients(examples: int, features: int, seed: int) -> torch.Tensor:
    """Per-example gradients of the squared error of a linear model at a fixed point,
    on a synthetic regression problem (double precision, fixed seed)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(examples, features, generator=generator, dtype=torch.float64)
    y = x @ torch.randn(features, generator=generator, dtype=torch.float64)
    y = y + torch.randn(examples, generator=generator, dtype=torch.float64)
    w = torch.zeros(features, dtype=torch.float64)
    return 2 * (x @ w - y)[:, None] * x  # one gradient per example


@figure(unit="number")
def gradient_noise(batch: int, draws: int = 2000, seed: int = 0) -> float:
    """The noise of a minibatch gradient: the root-mean-square distance between the mean gradient
    of ``batch`` examples drawn at random and the full-data gradient, relative to the full-data
    gradient's length, over ``draws`` minibatches. Measured on a synthetic least-squares problem
    (100,000 examples, 10 features, fixed seed)."""
    if not 0 < batch <= 4096 or not 0 < draws <= 5000:
        raise RegistryError("batch must be 1 to 4096 and draws 1 to 5000")
    grads = _regression_gradients(100_000, 10, seed)
    full = grads.mean(0)
    generator = torch.Generator().manual_seed(seed + 1)
    index = torch.randint(0, grads.shape[0], (draws, batch), generator=generator)
    errors = grads[index].mean(1) - full
    return float(errors.pow(2).sum(1).mean().sqrt() / full.norm())


@figure(unit="number")
def gradient_noise_ratio(small: int, large: int, draws: int = 2000, seed: int = 0) -> float:
    """How many times noisier a minibatch gradient of ``small`` examples is than one of ``large``
    examples (measured as gradient_noise; the square-root law predicts sqrt(large / small))."""
    return gradient_noise(small, draws, seed) / gradient_noise(large, draws, seed)
