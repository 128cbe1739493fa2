"""This knowledge base's own models and figure functions.

Importing the package registers them with kb's registry: vision models are
written in plain PyTorch with the layouts of torchvision's reference
implementations; language models are transformers' reference classes built
from their published configurations, on the meta device, with no download.
"""

from macros import language, vision  # noqa: F401  (registration happens on import)
