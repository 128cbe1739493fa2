"""This knowledge base's own models and figure functions.

Importing the package registers them with kb's registry: every module in
this folder is imported, so a new module needs no line here. Vision models
are written in plain PyTorch with the layouts of torchvision's reference
implementations; language models are transformers' reference classes built
from their published configurations, on the meta device, with no download.
"""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
