"""The one exception a figure's computation raises on purpose."""


class RegistryError(Exception):
    """A name that is unknown, registered twice, or a model that cannot be built.
    Its message reaches the page's author as the reason a figure failed."""
