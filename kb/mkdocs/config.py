"""The kb plugin's options as MkDocs sees them: one config option per field
of ``kb.config.KbOptions``, validated by kb's own rules, so ``mkdocs build``
and ``kb check`` accept and refuse the same values with the same diagnostics
(and exit status 2)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from mkdocs.config.base import BaseConfigOption, Config, ConfigErrors, ConfigWarnings, ValidationError

from kb.config import KbOptions, check_option, places, read_options
from kb.mkdocs.errors import stop
from kb.report import ExitStatus


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
        """Every problem of the options as ``kb check`` reports it, at its place in mkdocs.yml;
        any problem stops MkDocs with exit status 2, as it stops kb."""
        path = Path(self.config_file_path or "mkdocs.yml")
        try:
            where = places(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            where = {}
        _, problems = read_options(dict(self), path.name, where)
        if problems:
            raise stop("\n".join(d.as_text() for d in problems), ExitStatus.USAGE)
        return super().validate()

    def options(self) -> KbOptions:
        """The validated options, as kb's core takes them."""
        return KbOptions(**{f.name: self[f.name] for f in fields(KbOptions)})
