"""Bad input, table driven: every row feeds kb one kind of broken (or tricky)
content or configuration and states the exact diagnostics ``kb check``
prints, ``path:line:col: severity[code]: message``, and its exit status.

Exit status: 1 when the content has errors, 2 when the configuration is
wrong, 0 for warnings only (1 with ``--strict``). Most rows use a
configuration without the graph warnings (orphans, dead ends), which have
rows of their own. Every diagnostic code kb declares is expected by at least
one test of this package (see ``test_coverage.py``).
"""
