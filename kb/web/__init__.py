"""The site, without MkDocs: what each page and generated page of the site
says, as Markdown and HTML strings. ``kb.mkdocs_plugin`` hands them to MkDocs."""
