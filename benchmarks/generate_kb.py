"""Generate a synthetic knowledge base of N pages for benchmarks.

Each page has the house front matter, a few headings and 6 to 10 links (8 on average)
(wikilinks by title, alias or with a heading, and Markdown links), spread
over category folders. With ``learning``, each page also has a difficulty,
two prerequisites and a related page (always pages before it, so the
prerequisites form no cycle and are never harder), two keyed sources and
three citations of them. The output is deterministic for a given N and seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

FRONT_MATTER = """\
---
id: bench-{i:06d}
title: Topic {i}
category: Bench/{folder}
status: verified
canonical_id: self
aliases: [Alias of topic {i}, T{i}]
duplicate_of: none
source_trust_level: {trust}
confidence_score: {confidence}
verification_status: applied
tags: [bench, {folder}]
raw_sources: []
last_reinforced: 2026-05-10
github_commit: pending
tech_stack:
  language: python
  framework: pytorch
changelog:
  - {{date: 2026-05-08, change: Created}}
  - {{date: 2026-05-10, change: Reviewed}}
---
"""


LEARNING = """\
difficulty: {difficulty}
prerequisites: [{prerequisites}]
related: [{related}]
raw_sources:
  - {{id: src{i}a, title: "A paper on topic {i}", url: "https://example.org/{i}/a", date: 2020}}
  - {{id: src{i}b, title: "A book on topic {i}", authors: [A. Author, B. Author]}}
"""


def page_text(i: int, n: int, rng: random.Random, figures: bool = False, learning: bool = False) -> str:
    """One page: front matter, three sections, 6 to 10 links (8 on average) to other pages,
    with ``figures`` a verified figure (a dense layer whose width depends on the page), and
    with ``learning`` its learning structure and cited sources."""
    folder = f"c{i % 20:02d}"
    front = FRONT_MATTER.format(i=i, folder=folder, trust="ABCD"[i % 4], confidence=round(0.5 + (i % 50) / 100, 2))
    if learning:
        before = sorted({i - 1, i // 2} - {i}) if i else []
        front = front.replace("raw_sources: []\n", LEARNING.format(
            i=i, difficulty=("beginner", "intermediate", "advanced")[min(2, 3 * i // n)],
            prerequisites=", ".join(f"Topic {j}" for j in before), related=f"Topic {i // 3}" if i // 3 != i else ""))
    parts = [front]
    parts.append(f"# Topic {i}\n\nA synthetic page for timing kb.\n")
    if learning:
        parts.append(f"It rests on a paper [@src{i}a] and a book [@src{i}a; @src{i}b], cited again [@src{i}b].\n")
    if figures:
        width = 64 + i
        parts.append(f'A dense layer {width} → 256 holds {{{{ params("nn.Linear({width}, 256)", expect="{width * 256 + 256:,}") }}}} parameters.\n')
    links = []
    for k in range(rng.randint(6, 10)):
        j = (i + 1 + k) % n if k == 0 else rng.randrange(n)  # k == 0 keeps every page linked to
        style = k % 4
        if style == 0:
            links.append(f"[[Topic {j}]]")
        elif style == 1:
            links.append(f"[[Alias of topic {j}|see also]]")
        elif style == 2:
            links.append(f"[[Topic {j}#Details]]")
        else:
            links.append(f"[topic {j}](../c{j % 20:02d}/topic-{j}.md#usage)")
    for heading, chunk in (("Overview", links[:3]), ("Details", links[3:6]), ("Usage", links[6:])):
        parts.append(f"## {heading}\n\nRelated: {', '.join(chunk)}.\n\n```python\nprint('[[not a link]]')\n```\n")
    return "\n".join(parts)


MKDOCS_KB = "site_name: bench\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n  - kb\n"
MKDOCS_PLAIN = "site_name: bench\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n"


def plain_schema() -> str:
    """kb's default schema with an id and a title required, written out in full (no ``extends``),
    so that an older kb, run as a baseline, reads it too."""
    default = yaml.safe_load((ROOT / "kb" / "check" / "default_schema.yml").read_text(encoding="utf-8"))
    default["fields"]["id"]["required"] = default["fields"]["title"]["required"] = True
    return yaml.safe_dump(default, sort_keys=False, allow_unicode=True)


def generate(target: Path, n: int, seed: int = 0, figures: bool = False, learning: bool = False) -> Path:
    """Write a knowledge base of ``n`` pages under ``target``; return its mkdocs.yml
    (and a ``mkdocs-plain.yml`` without the kb plugin, for comparison)."""
    if target.exists():
        shutil.rmtree(target)
    (target / "content").mkdir(parents=True)
    (target / "site_config").mkdir()
    (target / "site_config" / "schema.yml").write_text(plain_schema(), encoding="utf-8")
    (target / "mkdocs.yml").write_text(MKDOCS_KB, encoding="utf-8")
    (target / "mkdocs-plain.yml").write_text(MKDOCS_PLAIN, encoding="utf-8")
    rng = random.Random(seed)
    for i in range(n):
        folder = target / "content" / f"c{i % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"topic-{i}.md").write_text(page_text(i, n, rng, figures, learning), encoding="utf-8")
    return target / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(generate(args.target, args.n))


if __name__ == "__main__":
    main()
