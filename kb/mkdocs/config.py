"""The kb plugin's options as MkDocs sees them: one config option per field
of ``kb.config.KbOptions``, validated by kb's own rule for that option, so
``mkdocs build`` and ``kb check`` accept and refuse the same values."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from mkdocs.config.base import BaseConfigOption, Config, ConfigErrors, ConfigWarnings, ValidationError

from kb.config import KbOptions, check_option


class KbOption(BaseConfigOption[Any]):
    """One kb option: its default from KbOptions, its check from ``kb.config.check_option``."""

    def __init__(self, name: str, default: Any) -> None:
        super().__init__()
        self.name = name
        self.default = default

    def run_validation(self, value: object) -> Any:
        checked, problem = check_option(self.name, value)
        if problem is not None:
            raise ValidationError(problem)
        return checked


class KbPluginConfig(Config):  # type: ignore[no-untyped-call]
    """The ``kb`` plugin's entry in mkdocs.yml."""

    # One attribute per KbOptions field, made here so each option is declared only once.
    for _field in fields(KbOptions):
        locals()[_field.name] = KbOption(_field.name, _field.default)
    del _field

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        """As MkDocs validates, but an unknown option is an error, as in ``kb check``."""
        failed, warnings = super().validate()
        known = {name for name, _ in self._schema}
        for key in sorted(set(self) - known):
            failed.append((key, ValidationError(check_option(key, None)[1] or f"unknown kb option {key}")))
        return failed, [(key, warning) for key, warning in warnings if key in known]

    def options(self) -> KbOptions:
        """The validated options, as kb's core takes them."""
        return KbOptions(**{f.name: self[f.name] for f in fields(KbOptions)})
