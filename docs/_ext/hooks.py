"""MkDocs hook: the performance guide shows the benchmarks' own results, never a copy.

The guide (``docs/guides/performance.md``) holds placeholders; this hook replaces them at
build time with what the benchmark files say now, so the page stays right when a benchmark is
re-run or replaced. The files are named here, in one place:

* ``CLIENT_RESULTS``: the client benchmark's results section (``benchmarks/README.md``, from
  the heading that starts with ``CLIENT_RESULTS_HEADING`` to the next heading of its level);
* ``CLIENT_PLOT``: the plot ``benchmarks/bench_client.py`` draws (shown when the file exists);
* ``BULK_RESULTS``: the table ``benchmarks/bench_bulk.py --out benchmarks`` writes, and the
  plot it links to.

A results file or section that is missing fails the build (the guide would lose its numbers);
a plot that is missing shows a note saying which command draws it. Plots and images the
included text links to are copied into the site under ``benchmarks/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

# --- the benchmark files the performance guide shows (adjust here when a benchmark changes) ---
CLIENT_RESULTS = "benchmarks/README.md"
CLIENT_RESULTS_HEADING = "Results of the reference run"
CLIENT_PLOT = "benchmarks/throughput.png"
CLIENT_PLOT_COMMAND = "python benchmarks/bench_client.py"
BULK_RESULTS = "benchmarks/bulk.md"
# -----------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
_PLACEHOLDER = re.compile(r"<!-- bench:(?P<what>[a-z-]+) -->")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*)$")


def _read(relative: str) -> str:
    path = ROOT / relative
    if not path.is_file():
        raise PluginError(f"the performance guide includes {relative}, which does not exist")
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str, source: str) -> str:
    """The section under the first heading that starts with ``heading`` (without the heading
    line itself, whose text becomes a bold first line)."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        match = _HEADING.match(line)
        if match and match["title"].startswith(heading):
            level = len(match["hashes"])
            end = len(lines)
            for offset, later in enumerate(lines[start + 1 :], start + 1):
                other = _HEADING.match(later)
                if other and len(other["hashes"]) <= level:
                    end = offset
                    break
            body = "\n".join(lines[start + 1 : end]).strip("\n")
            return f"**{match['title']}**\n\n{body}\n"
    raise PluginError(f"{source} has no heading starting with {heading!r}")


def _without_title(text: str) -> str:
    """A generated file's text without its first-level title (the guide has its own)."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip("\n") + "\n"


def _images_to_site(text: str, source: str) -> str:
    """Point images an included file links to (relative to that file) at their site copy."""
    folder = Path(source).parent

    def replace(match: re.Match[str]) -> str:
        src = match["src"]
        if "://" in src or src.startswith("/"):
            return match.group(0)
        return f"![{match['alt']}](../{(folder / src).as_posix()})"

    return _IMAGE.sub(replace, text)


def _plot(relative: str, alt: str, command: str) -> str:
    if (ROOT / relative).is_file():
        return f"![{alt}](../{relative})\n\n([{Path(relative).name}](../{relative}))\n"
    return (
        f'!!! note "No plot yet"\n    `{command}` draws `{relative}`; once that file is '
        "committed, the plot shows here.\n"
    )


def _render(what: str) -> str:
    if what == "client-results":
        return _section(_read(CLIENT_RESULTS), CLIENT_RESULTS_HEADING, CLIENT_RESULTS)
    if what == "client-plot":
        return _plot(CLIENT_PLOT, "requests/s against concurrency", CLIENT_PLOT_COMMAND)
    if what == "bulk-results":
        return _images_to_site(_without_title(_read(BULK_RESULTS)), BULK_RESULTS)
    if what == "paths":
        return (
            f"the client results: `{CLIENT_RESULTS}` (section *{CLIENT_RESULTS_HEADING}*), "
            f"its plot: `{CLIENT_PLOT}`; the bulk results: `{BULK_RESULTS}`"
        )
    raise PluginError(f"unknown benchmark placeholder <!-- bench:{what} -->")


def on_page_markdown(markdown: str, page: Page, **kwargs: Any) -> str:
    if "<!-- bench:" not in markdown:
        return markdown
    return _PLACEHOLDER.sub(lambda match: _render(match["what"]), markdown)


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Copy the benchmarks' images into the site, so the guide can show them."""
    folder = ROOT / "benchmarks"
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() in (".png", ".svg"):
            uri = f"benchmarks/{path.name}"
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
