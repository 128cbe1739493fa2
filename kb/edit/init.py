"""``kb init [DIR]``: a new knowledge base that builds strictly at once.

It holds a ``mkdocs.yml`` (Material with no web fonts, search in the chosen
language, the kb plugin), a schema that extends kb's default and requires an
id and a title, a home page, one topic page with a verified figure and an
executed block, a ``macros/`` package registering the model that page counts,
a ``.gitignore`` and a GitHub Actions workflow that checks, builds and
publishes the site. Nothing that exists is ever replaced: a folder that holds
a knowledge base, or any file kb init would write, is refused, and a failure
half way removes what was written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kb import __version__
from kb.textedit import write_atomically

# Languages Material's search can stem and split (its lunr languages), besides English.
SEARCH_LANGUAGES = frozenset({
    "en", "ar", "da", "de", "du", "el", "es", "fi", "fr", "he", "hi", "hu", "hy", "it", "ja", "jp", "kn", "ko",
    "nl", "no", "pt", "ro", "ru", "sa", "sv", "ta", "te", "th", "tr", "vi", "zh",
})


class InitError(Exception):
    """The knowledge base cannot be created (exit status 2); the message says why."""


def init_files(title: str, language: str, today: dt.date) -> dict[str, str]:
    """Every file of a new knowledge base, by path relative to its folder."""
    if language not in SEARCH_LANGUAGES:
        raise InitError(f"--language {language} is not a language the site's search knows; "
                        f"use one of {', '.join(sorted(SEARCH_LANGUAGES))}")
    return {
        "mkdocs.yml": MKDOCS.format(title=json.dumps(title, ensure_ascii=False), language=language),
        "site_config/schema.yml": SCHEMA,
        "content/index.md": HOME.format(title=title.replace("\n", " ")),
        "content/a-small-network.md": EXAMPLE.format(today=today.isoformat()),
        "macros/__init__.py": MACROS_INIT,
        "macros/models.py": MACROS_MODELS,
        ".gitignore": "site/\n.kb-cache/\n__pycache__/\n",
        ".github/workflows/kb.yml": WORKFLOW.replace("{version}", __version__),
    }


def create(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write ``files`` into ``folder`` (made if missing); refuse, changing nothing, if the folder
    holds a knowledge base or any of the files. Returns the paths written."""
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is a file, not a folder")
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (folder / name).exists():
            raise InitError(f"{folder} already holds a knowledge base ({name}); kb init changes nothing there")
    taken = sorted(name for name in files if (folder / name).exists())
    if taken:
        raise InitError(f"{folder} already has {', '.join(taken)}; kb init replaces nothing")
    written: list[Path] = []
    made: list[Path] = []
    try:
        for name, text in files.items():
            path = folder / name
            for parent in reversed(path.parents):
                if not parent.exists():
                    parent.mkdir()
                    made.append(parent)
            write_atomically(path, text, exclusive=True)
            written.append(path)
    except OSError as error:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for parent in reversed(made):
            parent.rmdir()
        raise InitError(f"cannot write {folder}: {error.strerror or error}") from None
    return written


MKDOCS = """\
site_name: {title}
docs_dir: content
site_dir: site

theme:
  name: material
  language: {language}
  font: false  # no web fonts: the site works offline
  features:
    - search.highlight
    - navigation.sections
    - content.code.copy
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle:
        icon: material/weather-night
        name: Dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle:
        icon: material/weather-sunny
        name: Light mode

plugins:
  - search:
      lang: {language}
  - kb
"""

SCHEMA = """\
# The front matter of this knowledge base's pages: kb's default schema (its
# fields are listed in kb's REFERENCE.md), with an id and a title required.
# Add fields of your own under `fields:`; change a default field's rules by
# naming only the rules you change.
extends: default
fields:
  id:
    required: true
  title:
    required: true
"""

HOME = """\
---
id: home
title: Home
---

# {title}

A knowledge base kept with kb: every number on its pages is computed when the
site is built, and the build fails when a page stops telling the truth.

Start with [[A small network]].
"""

EXAMPLE = """\
---
id: a-small-network
title: A small network
status: draft
aliases: [Tiny MLP]
source_trust_level: A
confidence_score: 0.9
verification_status: applied
tags: [example]
last_reinforced: {today}
changelog:
  - {{date: {today}, change: Created}}
---

# A small network

The network below takes 16 numbers, has one hidden layer of 64 units and
gives 10 outputs. It has {{{{ params("tiny-mlp", expect="1,738") }}}} parameters:
kb builds the network each time the site is built, counts them, and fails
the build if this sentence stops being true. The network is defined in
`macros/models.py`.

Its first layer alone, counted by running the code:

```python exec
from torch import nn

first = nn.Linear(16, 64)
print(sum(p.numel() for p in first.parameters()))
```

```output
1088
```

Back to the [[Home]] page.
"""

MACROS_INIT = '''\
"""This knowledge base's models and figure functions: importing the package registers them."""

from . import models  # noqa: F401
'''

MACROS_MODELS = '''\
"""The models this knowledge base's pages count. Each is built on PyTorch's meta
device when a page names it, so even a very large one costs no memory."""

from torch import nn

from kb.runtime import model


@model("tiny-mlp", source="defined here: 16 inputs, 64 hidden units, 10 outputs", names=["Tiny MLP"])
def tiny_mlp() -> nn.Module:
    """A two-layer perceptron."""
    return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 10))
'''

WORKFLOW = """\
# Check the knowledge base on every push and pull request; publish the site
# with GitHub Pages from main (Settings > Pages > Source: GitHub Actions).
name: kb

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  pages: write
  id-token: write

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the last commit's date makes builds reproducible
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install kb, with the CPU build of PyTorch (no CUDA download)
        run: |
          pip install torch --index-url https://download.pytorch.org/whl/cpu
          pip install "kb=={version}"
      - name: Check every page, figure and block
        run: kb check --format github
      - name: Build the site
        run: kb build --strict
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    if: github.event_name == 'push'
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""
