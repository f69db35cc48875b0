"""Griffe extension: render the package's reST-flavoured docstrings as Markdown.

The docstrings are written for ``help()`` and editors, in the light reST the standard library
uses: roles (``:class:`X```, ``:func:``, ``:meth:``, ``:mod:``, ``:attr:``, ``:data:``,
``:exc:``), ``::`` literal blocks and ``>>>`` examples. mkdocstrings renders Markdown, so this
extension rewrites them when the package is loaded:

* a role becomes a cross-reference to the object it names (relative names are looked up from
  the documented object outwards, as Python would); a name that resolves to nothing in the
  package fails the build (``mkdocs build --strict``), except names outside the package
  (``httpx.AsyncClient``), which stay code;
* a ``::`` block becomes a fenced ``python`` block, and a ``>>>`` example a ``pycon`` block.

Cross-references to objects that exist but are not rendered (private modules) degrade to code
instead of failing: they are emitted as *optional* autorefs.
"""

from __future__ import annotations

import logging
import re
import textwrap
from typing import Any

import griffe

_log = logging.getLogger("mkdocs.plugins.bank131_docs")

PACKAGE = "bank131_async"
_ROLE = re.compile(r":(class|func|meth|mod|attr|data|exc|obj):`(~?)([^`<>]+)`")


def _lookup(pkg: griffe.Module, path: str) -> str | None:
    """The path of the object ``path`` names in the package, or None."""
    if path == PACKAGE:
        return path
    if not path.startswith(PACKAGE + "."):
        return None
    try:
        pkg[path[len(PACKAGE) + 1 :]]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return path


def _scopes(obj: griffe.Object) -> list[str]:
    """Where a bare name in ``obj``'s docstring is looked up, innermost first."""
    scopes: list[str] = []
    current: griffe.Object | None = obj
    while current is not None:
        scopes.append(current.path)
        current = current.parent  # type: ignore[assignment]
    return scopes


def _resolve(pkg: griffe.Module, obj: griffe.Object, name: str) -> str | None:
    name = name.rstrip("()")
    if name.startswith("."):
        module = obj if obj.is_module else obj.module
        base = module.path
        dots = len(name) - len(name.lstrip("."))
        rest = name.lstrip(".")
        # ".x" inside a package's __init__ means the package itself.
        parts = base.split(".")
        if not (module.is_init_module or module.is_package):
            parts = parts[:-1]
        parts = parts[: len(parts) - (dots - 1)] if dots > 1 else parts
        return _lookup(pkg, ".".join([*parts, rest]) if rest else ".".join(parts))
    for scope in _scopes(obj):
        found = _lookup(pkg, f"{scope}.{name}")
        if found:
            return found
    return _lookup(pkg, name)


def _roles(pkg: griffe.Module, obj: griffe.Object, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        role, tilde, name = match.groups()
        shown = name.rsplit(".", 1)[-1] if tilde else name.lstrip(".")
        if role in ("func", "meth") and not shown.endswith(")"):
            shown += "()"
        target = _resolve(pkg, obj, name)
        if target is None:
            first = name.lstrip(".~").split(".")[0]
            inside = name.startswith(".") or first == PACKAGE or _resolve_first(pkg, obj, first)
            if inside:
                _log.warning(
                    "%s: the docstring's :%s:`%s` names nothing in the package",
                    obj.path,
                    role,
                    name,
                )
            return f"`{shown}`"
        return f'<autoref identifier="{target}" optional><code>{shown}</code></autoref>'

    return _ROLE.sub(replace, text)


def _resolve_first(pkg: griffe.Module, obj: griffe.Object, first: str) -> bool:
    """Whether a dotted name's first part is a name of the package (so the rest should be)."""
    return any(_lookup(pkg, f"{scope}.{first}") for scope in _scopes(obj))


_BORDER = re.compile(r"^\s*=+( +=+)+\s*$")


def _table(lines: list[str]) -> list[str]:
    """A reST simple table (``====  ====`` borders) as a Markdown table."""
    border = lines[0]
    starts = [m.start() for m in re.finditer(r"=+", border)]
    indent = border[: len(border) - len(border.lstrip())]
    borders = [i for i, line in enumerate(lines) if _BORDER.match(line)]
    header_end = borders[1] if len(borders) > 2 else None
    rows: list[list[str]] = []
    header: list[str] = [""] * len(starts)
    for i, line in enumerate(lines):
        if i in borders or not line.strip():
            continue
        cells = [
            line[start : (starts[n + 1] if n + 1 < len(starts) else None)].strip()
            for n, start in enumerate(starts)
        ]
        if header_end is not None and i < header_end:
            header = cells
        elif not cells[0] and rows:  # a continuation line
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    out = ["", indent + "| " + " | ".join(header) + " |"]
    out.append(indent + "|" + "---|" * len(starts))
    out += [indent + "| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _BORDER.match(lines[i]):
            j = i + 1
            end = None
            while j < len(lines):
                if _BORDER.match(lines[j]) and (j + 1 == len(lines) or not lines[j + 1].strip()):
                    end = j
                    break
                j += 1
            if end is not None:
                out += _table(lines[i : end + 1])
                i = end + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _blocks(text: str) -> str:
    """``::`` literal blocks and ``>>>`` examples to fenced code blocks."""
    lines = _tables(text).split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += ["", f"{indent}```pycon", *block, f"{indent}```", ""]
            continue
        if stripped.endswith("::") and i + 1 < len(lines) and not lines[i + 1].strip():
            base = len(line) - len(line.lstrip())
            j = i + 1
            block = []
            while j < len(lines):
                candidate = lines[j]
                if candidate.strip() and len(candidate) - len(candidate.lstrip()) <= base:
                    break
                block.append(candidate)
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                head = stripped[:-2].rstrip()
                indent = " " * base
                if head:
                    out.append(line.rstrip()[:-1])  # "text::" -> "text:"
                code = textwrap.dedent("\n".join(b for b in block)).strip("\n")
                out += ["", f"{indent}```python"]
                out += [indent + c if c else "" for c in code.split("\n")]
                out += [f"{indent}```", ""]
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


class RstDocstrings(griffe.Extension):
    """Rewrites every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.path != PACKAGE:
            return
        seen: set[int] = set()

        def visit(obj: griffe.Object) -> None:
            if id(obj) in seen:
                return
            seen.add(id(obj))
            if obj.docstring is not None:
                obj.docstring.value = _roles(pkg, obj, _blocks(obj.docstring.value))
            for member in obj.members.values():
                if not member.is_alias:
                    visit(member)  # type: ignore[arg-type]

        visit(pkg)
