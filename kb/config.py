"""Where the knowledge base is and how kb is configured.

kb reads ``mkdocs.yml`` (found in the current folder, or named with
``--config-file``) without importing MkDocs: ``docs_dir`` is the content
folder, and the options of the ``kb`` plugin entry configure kb itself.
"""

from __future__ import annotations

import difflib
import json
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from kb.diagnostics import Diagnostic


class ConfigError(Exception):
    """The configuration is unusable; carries the diagnostics that say why (exit status 2)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.as_text() for d in diagnostics))
        self.diagnostics = diagnostics


def _option(default: Any, help: str) -> Any:
    """A field of KbOptions: its default and its one-line meaning (REFERENCE.md lists both)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class KbOptions:
    """The options of the ``kb`` plugin in mkdocs.yml, each declared once with its type,
    default and meaning. ``kb check`` reads them from mkdocs.yml, the MkDocs plugin from
    its typed config (``kb.mkdocs.config``); both are derived from this class."""

    schema: str = _option("site_config/schema.yml", "the front-matter schema, relative to mkdocs.yml")
    max_page_bytes: int = _option(5_000_000, "a page larger than this is refused (page.too_large)")
    warn_orphans: bool = _option(True, "warn about pages no other page links to (graph.orphan)")
    warn_dead_ends: bool = _option(True, "warn about pages that link to no other page (graph.dead_end)")
    home: str = _option("index.md", "the home page, exempt from graph.orphan")
    warn_unaccounted: bool = _option(True, "warn about quantities in prose that are neither a figure nor a cited fact (figure.unaccounted)")
    tolerance: float = _option(0.05, "relative tolerance of an approximate pin (~ or ≈)")
    figure_timeout: float = _option(120.0, "seconds one figure may take to compute (and a worker to import torch, transformers and macros/)")
    exec_timeout: float = _option(60.0, "seconds one python exec block may run")
    exec_memory_mb: int = _option(4096, "memory a page's code may allocate, in MiB, beyond what Python and its imports hold")
    exec_env: tuple[str, ...] = _option(("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"),
                                        "the environment variables a page's code sees (the rest of kb's environment it does not)")
    cache_dir: str = _option(".kb-cache", "where computed figures and block outputs, parsed pages and stored pages are kept, relative to mkdocs.yml")


@dataclass(frozen=True)
class Option:
    """One option of the kb plugin: its type, default and meaning (read off KbOptions)."""

    kind: type
    default: Any
    help: str


OPTIONS: dict[str, Option] = {
    f.name: Option(typing.get_origin(hint := typing.get_type_hints(KbOptions)[f.name]) or hint, f.default, f.metadata["help"])
    for f in fields(KbOptions)
}
_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false", tuple: "a list of names"}


def check_option(name: str, value: Any) -> tuple[Any, str | None]:
    """An option's value as kb uses it (an integer where a number is asked for becomes a float),
    or the message that says why it cannot be used."""
    option = OPTIONS.get(name)
    if option is None:
        close = difflib.get_close_matches(name, OPTIONS, n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; kb knows {', '.join(OPTIONS)}"
        return None, f"unknown kb option {name}{hint}"
    if option.kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value), None
    if option.kind is tuple:
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) and v for v in value):
            return tuple(value), None
        return None, f"kb option {name} must be {_KINDS[tuple]}, got {json.dumps(value, default=str)}"
    if not isinstance(value, option.kind) or (option.kind is int and isinstance(value, bool)):
        return None, f"kb option {name} must be {_KINDS[option.kind]}, got {json.dumps(value, default=str)}"
    return value, None


@dataclass(frozen=True)
class KbConfig:
    """Where a knowledge base is, and its options."""

    root: Path  # the folder of mkdocs.yml
    config_file: Path
    content_dir: Path
    options: KbOptions = field(default_factory=KbOptions)

    @property
    def schema_path(self) -> Path:
        return (self.root / self.options.schema).resolve()

    @property
    def cache_dir(self) -> Path:
        return (self.root / self.options.cache_dir).resolve()

    def relative(self, path: Path) -> str:
        """A path as diagnostics show it: relative to the folder of mkdocs.yml."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, which may hold tags such as ``!!python/name:`` and ``!ENV``
    that only MkDocs resolves; kb does not need their values."""


def _placeholder(_loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> str:
    return f"<{node.tag}>"


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _placeholder)
_TolerantLoader.add_multi_constructor("!", _placeholder)


def find_config_file(explicit: str | None, cwd: Path) -> Path:
    """The mkdocs.yml to use: the one named, or the one in the current folder."""
    if explicit:
        path = Path(explicit)
        path = path if path.is_absolute() else cwd / path
        if path.is_dir():  # the knowledge base's folder: its mkdocs.yml
            found = _in_folder(path)
            if found is None:
                raise ConfigError([Diagnostic(explicit, 1, 1, "config.missing", f"{explicit} is a folder without a mkdocs.yml")])
            return found
        if not path.is_file():
            raise ConfigError([Diagnostic(explicit, 1, 1, "config.missing", f"{explicit} does not exist")])
        return path.resolve()
    found = _in_folder(cwd)
    if found is None:
        raise ConfigError([Diagnostic("mkdocs.yml", 1, 1, "config.missing",
                                      "no mkdocs.yml in this folder; run kb where it is or pass --config-file PATH")])
    return found


def _in_folder(folder: Path) -> Path | None:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (folder / name).is_file():
            return (folder / name).resolve()
    return None


def load_config(explicit: str | None = None, cwd: Path | None = None) -> KbConfig:
    """Read mkdocs.yml and the kb plugin's options; raise ConfigError if unusable."""
    config_file = find_config_file(explicit, cwd or Path.cwd())
    name = config_file.name
    try:
        text = config_file.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=_TolerantLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError([Diagnostic(name, line, column, "config.invalid", f"invalid YAML: {error.problem}")]) from None
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as error:
        raise ConfigError([Diagnostic(name, 1, 1, "config.invalid", f"cannot read {name}: {error}")]) from None
    except RecursionError:  # PyYAML's pure-Python composer recurses once per level
        raise ConfigError([Diagnostic(name, 1, 1, "config.invalid", f"cannot read {name}: it nests too deep")]) from None
    if not isinstance(raw, dict):
        raise ConfigError([Diagnostic(name, 1, 1, "config.invalid", f"{name} must be a mapping")])
    root = config_file.parent
    where = places(text)
    options = _plugin_options(raw.get("plugins"), name, where.get("kb", (1, 1)))
    values, problems = read_options(options, name, where)
    docs_dir = raw.get("docs_dir", "docs")
    content_dir = (root / str(docs_dir)).resolve()
    if not content_dir.is_dir():
        problems.append(Diagnostic(name, *where.get("docs_dir", (1, 1)), "config.invalid", f"docs_dir {docs_dir} is not a folder"))
    if problems:
        raise ConfigError(problems)
    return KbConfig(root.resolve(), config_file, content_dir, KbOptions(**values))


def read_options(options: dict[str, Any], shown_as: str, where: dict[str, tuple[int, int]]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The kb plugin's options as written (``where``: their places, from ``places``): the values kb
    uses, and a diagnostic for every option that is unknown or has a wrong value."""
    values: dict[str, Any] = {}
    problems = []
    for key, value in options.items():
        checked, message = check_option(key, value)
        if message is not None:
            problems.append(Diagnostic(shown_as, *where.get(f"kb.{key}", (1, 1)), "config.invalid", message))
        else:
            values[key] = checked
    return values, problems


def places(text: str) -> dict[str, tuple[int, int]]:
    """Where docs_dir, theme, plugins, the kb plugin's options and each option stand in mkdocs.yml (1-based)."""
    try:
        document = yaml.compose(text, Loader=_TolerantLoader)
    except yaml.YAMLError:
        return {}

    def pairs(node: yaml.Node | None) -> list[tuple[Any, Any]]:
        return node.value if isinstance(node, yaml.MappingNode) else []

    def place(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    found: dict[str, tuple[int, int]] = {}
    for key, value in pairs(document):
        if key.value in ("docs_dir", "theme", "plugins"):
            found[key.value] = place(key)
        if key.value == "plugins":
            entries = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for name, options in (pair for entry in entries for pair in pairs(entry)):
                if name.value == "kb" and "kb" not in found:
                    found["kb"] = place(options)
                    found.update((f"kb.{option.value}", place(option)) for option, _ in pairs(options))
    return found


def _plugin_options(plugins: Any, name: str, place: tuple[int, int] = (1, 1)) -> dict[str, Any]:
    """The options given to the ``kb`` plugin (empty if it is listed without options)."""
    entries: list[Any]
    if isinstance(plugins, dict):
        entries = [{key: value} for key, value in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    else:
        entries = []
    for entry in entries:
        if isinstance(entry, dict) and "kb" in entry:
            options = entry["kb"] or {}
            if not isinstance(options, dict):
                raise ConfigError([Diagnostic(name, *place, "config.invalid", "the kb plugin's options must be a mapping")])
            return options
    return {}
