"""What the site says, without MkDocs: the files the site adds (assemble.py),
a topic page's rendering (topic.py, render.py), generated pages
(generated.py), the ledger (ledger.py), the graph's data (graphdata.py),
assets and URLs. ``kb.mkdocs`` hands all of it to MkDocs; another renderer
could take the same data."""
