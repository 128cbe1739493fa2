"""Convolutional networks, layer for layer as in torchvision's reference code,
written in plain PyTorch so that they build without torchvision; their
parameter counts equal those torchvision publishes for its weights."""

from __future__ import annotations

from torch import nn

from kb.runtime import model


@model("lenet5", names=["LeNet-5"], source="LeCun et al. 1998, as commonly written in PyTorch: two 5x5 convolutions "
       "(6 and 16 channels) and dense layers 400-120-84-10 with biases; the 1998 paper's C3 and "
       "RBF output layer differ, which is why the paper gives about 60,000")
def lenet5() -> nn.Module:
    """LeNet-5 in its common modern PyTorch form."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


@model("alexnet", names=["AlexNet"], source="Krizhevsky et al. 2012; layout of torchvision.models.alexnet (one-GPU variant)")
def alexnet() -> nn.Module:
    """AlexNet as torchvision builds it."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
        nn.Linear(4096, 1000),
    )


_VGG16: list[int | str] = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


@model("vgg16", names=["VGG-16"], source="Simonyan and Zisserman 2014, configuration D; layout of torchvision.models.vgg16 (no batch norm)")
def vgg16() -> nn.Module:
    """VGG-16 as torchvision builds it."""
    layers: list[nn.Module] = []
    channels = 3
    for item in _VGG16:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, int(item), 3, padding=1), nn.ReLU(inplace=True)]
            channels = int(item)
    return nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(),
        nn.Linear(4096, 1000),
    )


class Bottleneck(nn.Module):
    """ResNet's 1x1-3x3-1x1 block with four-fold expansion (stride on the 3x3, as torchvision's v1.5)."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        width = planes
        out = planes * self.expansion
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample: nn.Module | None = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):  # type: ignore[no-untyped-def]
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + identity)


def _resnet(blocks: list[int]) -> nn.Module:
    stages: list[nn.Module] = []
    inplanes = 64
    for index, (planes, count) in enumerate(zip([64, 128, 256, 512], blocks, strict=True)):
        stride = 1 if index == 0 else 2
        stage = [Bottleneck(inplanes, planes, stride)]
        inplanes = planes * Bottleneck.expansion
        stage += [Bottleneck(inplanes, planes) for _ in range(count - 1)]
        stages.append(nn.Sequential(*stage))
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, padding=1), *stages,
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512 * Bottleneck.expansion, 1000),
    )


@model("resnet50", names=["ResNet-50"], source="He et al. 2015; layout of torchvision.models.resnet50 (bottleneck blocks 3-4-6-3)")
def resnet50() -> nn.Module:
    """ResNet-50 as torchvision builds it."""
    return _resnet([3, 4, 6, 3])
