"""What runs inside a worker process: the registry of models and figure
functions, kb's built-in figures, and the worker's loop. This is the only
package of kb that imports torch, transformers or a knowledge base's
``macros/``; kb's own process talks to it through ``kb.protocol``.

A knowledge base's ``macros/`` registers its models and figure functions here::

    from kb.runtime import figure, model
"""

from kb.runtime.errors import RegistryError
from kb.runtime.registry import REGISTRY, build_model, build_transformers, figure, model

__all__ = ["REGISTRY", "RegistryError", "build_model", "build_transformers", "figure", "model"]
