"""The ``kb`` command line.

Exit status: 0 nothing wrong; 1 the content has errors (or warnings with
--strict); 2 the command or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kb import __version__
from kb.config import ConfigError, load_config
from kb.diagnostics import Diagnostic, Severity
from kb.report import FORMATS, ExitStatus, exit_status, render, summary
from kb.textedit import write_atomically


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="A knowledge base whose numbers are checked.")
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config-file", "-f", metavar="PATH", help="the mkdocs.yml of the knowledge base (default: ./mkdocs.yml)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", parents=[common], help="validate pages, links and the graph; no HTML")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--format", choices=FORMATS, default="text", help="how to print diagnostics")

    new = commands.add_parser("new", parents=[common], help="write a new page in the house format")
    new.add_argument("title", help="the page's title")
    new.add_argument("--category", default="", metavar="FOLDER", help="the folder under the content folder (default: its top)")

    build = commands.add_parser("build", parents=[common], help="check, then build the static site in site/")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument("--site-dir", "-d", metavar="DIR", help="where to write the site (default: site_dir of mkdocs.yml)")
    build.add_argument("--site-url", metavar="URL", help="the address the site will be served from (default: site_url of mkdocs.yml)")

    serve = commands.add_parser("serve", parents=[common], help="serve the site, rebuilding on every save")
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", metavar="IP:PORT")

    fix = commands.add_parser("fix", parents=[common], help="rewrite stale pins to the computed values")
    fix.add_argument("--dry-run", action="store_true", help="print the changes as a diff; write nothing")
    fix.add_argument("paths", nargs="*", metavar="PATH", help="only pages in these files or folders (default: all)")

    review = commands.add_parser("review", parents=[common], help="list the pages due for review, most overdue first")
    review.add_argument("--format", choices=("text", "json"), default="text")

    init = commands.add_parser("init", help="write a new knowledge base that builds at once")
    init.add_argument("folder", nargs="?", default=".", metavar="DIR", help="where (default: here); made if missing")
    init.add_argument("--language", default="en", metavar="CODE", help="the site's language and its search's (default: en)")
    init.add_argument("--title", metavar="TITLE", help="the site's name (default: from the folder's name)")

    graph = commands.add_parser("graph", parents=[common], help="print the concept graph")
    graph.add_argument("--format", choices=("json", "graphml"), default="json")
    graph.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run kb; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {"check": cmd_check, "build": cmd_build, "serve": cmd_serve, "new": cmd_new, "fix": cmd_fix, "graph": cmd_graph, "init": cmd_init,
                                                                  "review": cmd_review}
    try:
        return handlers[args.command](args)
    except ConfigError as error:
        _print_diagnostics(error.diagnostics, getattr(args, "format", "text"))
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return ExitStatus.OK
    except Exception as error:  # a bug in kb, not in the content: say so in one line
        if os.environ.get("KB_DEBUG"):
            raise
        print(f"kb: internal error: {type(error).__name__}: {error} (set KB_DEBUG=1 for a traceback)", file=sys.stderr)
        return ExitStatus.USAGE


def run() -> None:
    """The console script: run, flush, and leave without tearing down the heap
    (freeing millions of objects one by one takes longer than some checks)."""
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


def _print_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> None:
    if fmt not in FORMATS:
        fmt = "text"
    output = render(sorted(diagnostics), fmt)
    if output or fmt == "json":
        print(output)


def cmd_check(args: argparse.Namespace) -> int:
    """``kb check``: print every diagnostic; the exit status says whether any matter."""
    from kb.pipeline import run_check

    result = run_check(load_config(args.config_file), compute=True)
    diagnostics = result.diagnostics.sorted()
    _print_diagnostics(diagnostics, args.format)
    print(summary(diagnostics, len(result.pages), len(result.edges)), file=sys.stderr)
    return exit_status(diagnostics, args.strict)


def cmd_new(args: argparse.Namespace) -> int:
    """``kb new "Title"``: write a page that passes ``kb check`` as written."""
    from kb.check.links import NameIndex
    from kb.edit.new import NewPageError, page_file_name, render_page, write_new_page
    from kb.pipeline import run_check

    config = load_config(args.config_file)
    title = args.title.strip()
    try:
        if not title:
            raise NewPageError("the title is empty")
        category = args.category.strip("/")
        if category.startswith(".") or ".." in Path(category).parts:
            raise NewPageError(f"--category {args.category} must be a folder inside the content folder")
        result = run_check(config)
        taken = NameIndex(result.pages).lookup(title)
        if taken:
            raise NewPageError(f'"{title}" already names {taken[0].page.source} (its {taken[0].kind})')
        target = config.content_dir / category / page_file_name(title)
        write_new_page(target, render_page(title, category, dt.date.today(), result.schema, result.by_id), config.relative(target))
    except NewPageError as error:
        print(f"kb: {error}", file=sys.stderr)
        return ExitStatus.USAGE
    print(config.relative(target))
    return ExitStatus.OK


def cmd_review(args: argparse.Namespace) -> int:
    """``kb review``: the pages past the review interval of their trust level, most overdue first."""
    import json

    from kb.check.review import reviews
    from kb.pipeline import run_check

    result = run_check(load_config(args.config_file))
    overdue = [r for r in reviews(result.pages, result.schema.review_intervals, result.today) if r.overdue]
    if args.format == "json":
        print(json.dumps([{"page": r.page.source, "title": r.page.title, "trust": r.page.meta.trust,
                           "confidence": r.page.meta.confidence, "last_reinforced": r.reinforced.isoformat(),
                           "due": r.due.isoformat(), "days_overdue": r.days_overdue, "interval": r.interval}
                          for r in overdue], ensure_ascii=False, indent=1))
    else:
        for r in overdue:
            confidence = f"{r.page.meta.confidence:.2f}" if r.page.meta.confidence is not None else "-"
            print(f"{r.days_overdue:>5} days overdue  trust {r.page.meta.trust}  confidence {confidence}  "
                  f"{r.page.source}  {r.page.title}")
    print(f"kb: {len(overdue)} of {len(result.pages)} pages overdue for review (as of {result.today.isoformat()})", file=sys.stderr)
    return ExitStatus.OK


def cmd_init(args: argparse.Namespace) -> int:
    """``kb init [DIR]``: a new knowledge base; refuses to replace anything."""
    from kb.edit.init import InitError, create, init_files

    folder = Path(args.folder).resolve()
    title = args.title or folder.name.replace("-", " ").replace("_", " ").strip().capitalize() or "Knowledge base"
    try:
        written = create(folder, init_files(title, args.language, dt.date.today()))
    except InitError as error:
        print(f"kb: {error}", file=sys.stderr)
        return ExitStatus.USAGE
    for path in written:
        print(path.relative_to(folder).as_posix())
    where = args.folder if args.folder != "." else "this folder"
    step = f"cd {args.folder} && " if args.folder != "." else ""
    print(f"kb: a new knowledge base in {where}; build it with: {step}kb build --strict", file=sys.stderr)
    return ExitStatus.OK


def cmd_build(args: argparse.Namespace) -> int:
    """``kb build``: everything ``kb check`` does, then the site; a strict build fails on any problem."""
    from kb.mkdocs.build import build_site

    config = load_config(args.config_file)
    return build_site(config, strict=args.strict, site_dir=args.site_dir, site_url=args.site_url)


def cmd_serve(args: argparse.Namespace) -> int:
    """``kb serve``: the site with live reload; figures come from the cache, so saves rebuild fast."""
    from kb.mkdocs.build import serve_site

    config = load_config(args.config_file)
    return serve_site(config, args.dev_addr)


def cmd_fix(args: argparse.Namespace) -> int:
    """``kb fix``: re-pin every stale figure and output block; then check again."""
    from kb.edit.fix import diff, plan
    from kb.pipeline import run_check

    config = load_config(args.config_file)
    chosen = [Path(p).resolve() for p in args.paths]
    for written, path in zip(args.paths, chosen, strict=True):
        problem = ("does not exist" if not path.exists() else
                   f"is not in the content folder ({config.relative(config.content_dir)})"
                   if path != config.content_dir and config.content_dir not in path.parents else None)
        if problem:
            print(f"kb: {written} {problem}", file=sys.stderr)
            return ExitStatus.USAGE
    result = run_check(config, compute=True)
    assert result.computed is not None
    planned = plan(result.computed.figures, result.computed.blocks, config.root)

    def wanted(path: Path) -> bool:
        return not chosen or any(path.resolve() == c or c in path.resolve().parents for c in chosen)

    changes = {path: change for path, change in planned.changes.items() if wanted(path)}
    for path, reason in planned.unfixable.items():
        if wanted(path):
            print(f"kb fix: cannot fix {config.relative(path)}: {reason}", file=sys.stderr)
    for path, (before, after) in changes.items():
        shown = config.relative(path)
        if args.dry_run:
            sys.stdout.write(diff(shown, before, after))
        else:
            try:
                write_atomically(path, after)
            except OSError as error:
                print(f"kb fix: cannot write {shown}: {error.strerror or error}", file=sys.stderr)
    verb = "would change" if args.dry_run else "changed"
    print(f"kb fix: {verb} {len(changes)} file{'' if len(changes) == 1 else 's'}", file=sys.stderr)
    if args.dry_run:
        return ExitStatus.OK
    remaining = run_check(config, compute=True).diagnostics.sorted()
    _print_diagnostics(_errors(remaining), "text")
    return exit_status(remaining)


def cmd_graph(args: argparse.Namespace) -> int:
    """``kb graph``: the concept graph as node-link JSON or GraphML."""
    from kb.check.graph import generality, to_graphml, to_json
    from kb.pipeline import run_check

    result = run_check(load_config(args.config_file))
    for node, value in generality(result.graph).items():
        result.graph.nodes[node]["generality"] = value
    text = to_json(result.graph) if args.format == "json" else to_graphml(result.graph)
    text = text if text.endswith("\n") else text + "\n"  # the file gets what standard output would
    if args.output:
        try:
            write_atomically(Path(args.output), text)
        except OSError as error:  # a wrong -o path is the command's fault, not an internal error
            print(f"kb: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
            return ExitStatus.USAGE
    else:
        sys.stdout.write(text)
    diagnostics = result.diagnostics.sorted()
    for d in _errors(diagnostics):
        print(d.as_text(), file=sys.stderr)
    print(summary(diagnostics, len(result.pages), len(result.edges)), file=sys.stderr)
    return exit_status(diagnostics)


def _errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that fail a run without --strict: the ones fix and graph print."""
    return [d for d in diagnostics if d.severity is Severity.ERROR]
