"""This knowledge base's own models and figure functions (registered with kb's registry)."""
