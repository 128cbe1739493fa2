"""kb: a knowledge-base wiki generator whose numbers are checked."""

__version__ = "0.1.0"
