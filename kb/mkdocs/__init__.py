"""The MkDocs adapter, the only part of kb that imports MkDocs or Material:
the plugin (plugin.py) with its typed options (config.py), and ``kb build`` /
``kb serve`` driving MkDocs (build.py)."""
