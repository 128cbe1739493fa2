"""Figures and executed code, on kb's side of the worker boundary.

    expression.py     reads each ``{{ ... }}`` as one call of a figure function, evaluating nothing
    pins.py           what ``expect="25.6M"`` means, and writing values in a pin's style
    figure.py         a page's figures: read, then judged against their pins
    block.py          a page's ``python exec`` blocks and their ``output`` pins
    compute.py        computes what the cache does not hold, in worker processes
    cache.py          results keyed by everything they depend on
    worker_client.py  starts a worker, sends it a request, enforces the deadline
    progress.py       the progress bar of a long computation

Nothing here imports torch, transformers or a knowledge base's ``macros/``:
those live only in the worker processes (``kb.runtime``).
"""
