"""Checking pages, without computing anything: the stages of ``kb check`` that
need neither torch nor MkDocs.

    load.py       files to pages (yamlpos.py keeps the line of every YAML value,
                  markdown.py finds headings, links, code and ``{{ }}``)
    schema.py     one page's front matter against the declared schema
    crosspage.py  ids, references and names across pages
    names.py      how names compare and headings become anchors
    links.py      which page each link names
    graph.py      the concept graph (networkx)
    sitepaths.py  the pages the site generates, so links to them check

An import-linter contract in ``pyproject.toml`` keeps torch, transformers,
MkDocs and Material out of this package.
"""
