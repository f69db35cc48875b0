"""Bulk runner at scale: time per payout and peak memory from 1,000 to 100,000 items.

    python benchmarks/bench_bulk.py                       # 1k, 10k, 100k; about 15 minutes
    python benchmarks/bench_bulk.py --sizes 1000 10000 --out benchmarks/

For each size: a fresh mock bank in its own process (``python -m bank131_async.mock``), a
generated JSONL file (4% declines), and one ``python -m bank131_async.bulk run`` process with
a fresh SQLite journal. Measured on the runner process: wall time per payout and its peak
resident memory and CPU time (``ru_maxrss``, ``ru_utime + ru_stime`` from ``wait4``). The
mock's memory and CPU grow with its sessions and are not counted: the runner's CPU per payout
is what shows whether the runner itself stays flat. ``--out DIR`` writes ``bulk.md`` (the table) and ``bulk.svg`` (the plot).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs
from _mock_process import start_mock

CONCURRENCY = 100


@attrs.frozen
class Row:
    size: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    exit_status: int

    @property
    def ms_per_payout(self) -> float:
        return self.seconds * 1000 / self.size

    @property
    def cpu_ms_per_payout(self) -> float:
        return self.cpu_seconds * 1000 / self.size

    @property
    def rate(self) -> float:
        return self.size / self.seconds


def _item(n: int) -> str:
    card = "4000000000000002" if n % 25 == 0 else "4242424242424242"
    return json.dumps(
        {
            "id": f"p-{n}",
            "payout_details": {
                "type": "card",
                "card": {"type": "bank_card", "bank_card": {"number": card}},
            },
            "amount_details": {"amount": 10_000 + n % 1000, "currency": "rub"},
            "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
        }
    )


def _start_mock(key_dir: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """The mock, and the environment a runner process needs to reach it."""
    mock, url, project = start_mock(key_dir, "--confirm-delay", "0.02", "--process-delay", "0.02")
    env = {
        **os.environ,
        "BANK131_PROJECT": project,
        "BANK131_PRIVATE_KEY_PATH": str(key_dir / "partner_private.pem"),
        "BANK131_BANK_PUBLIC_KEY_PATH": str(key_dir / "bank_public.pem"),
        "BANK131_BASE_URL": url,
    }
    return mock, env


def measure(size: int, workdir: Path) -> Row:
    items = workdir / f"items-{size}.jsonl"
    with items.open("w") as out:
        for n in range(1, size + 1):
            out.write(_item(n) + "\n")
    mock, env = _start_mock(workdir / f"keys-{size}")
    try:
        started = time.perf_counter()
        runner = subprocess.Popen(  # noqa: S603 -- our interpreter, our module
            [
                sys.executable,
                "-m",
                "bank131_async.bulk",
                "run",
                str(items),
                "--batch-id",
                f"bench-{size}",
                "--journal",
                str(workdir / f"bench-{size}.sqlite"),
                "--concurrency",
                str(CONCURRENCY),
                "--poll",
                "0.05",
                "--no-progress",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(runner.pid, 0)
        seconds = time.perf_counter() - started
        runner.returncode = os.waitstatus_to_exitcode(status)
    finally:
        mock.terminate()
        mock.wait(timeout=30)
    # Linux reports ru_maxrss in KiB.
    cpu = usage.ru_utime + usage.ru_stime
    return Row(size, seconds, cpu, usage.ru_maxrss / 1024, runner.returncode)


def table(rows: list[Row], command: str) -> str:
    lines = [
        "# Bulk runner: time per payout and peak memory by batch size",
        "",
        f"`{command}` on {os.cpu_count()} cores ({platform.python_implementation()} "
        f"{platform.python_version()}), concurrency {CONCURRENCY}, SQLite journal, the mock "
        "bank in its own process (confirm and process delays 20 ms, polls from 50 ms). Each "
        "payout is create, start, confirm and the status polls of two waits: 5+ signed "
        "requests.",
        "",
        "| items | wall time | ms per payout | payouts/s | runner CPU ms per payout "
        "| peak RSS of the runner | exit |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.size:,} | {row.seconds:,.1f} s | {row.ms_per_payout:.2f} | "
            f"{row.rate:,.0f} | {row.cpu_ms_per_payout:.2f} | {row.peak_mb:.0f} MB | "
            f"{row.exit_status} |"
        )
    lines += [
        "",
        "The runner's CPU per payout and its peak memory are the flatness measures: the wall "
        "time also includes the mock bank, a single process that keeps every session it was "
        "sent and slows down as it accumulates them.",
        "",
        "![time per payout and peak memory](bulk.svg)",
        "",
    ]
    return "\n".join(lines)


def svg(rows: list[Row]) -> str:
    """Two panels over log10(items): ms per payout (wall and the runner's CPU), peak MB."""
    import math

    width, height, pad = 720, 300, 50
    panel = (width - 3 * pad) / 2
    xs = [math.log10(r.size) for r in rows]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    panels = [
        (
            "ms per payout: wall (solid), runner CPU (dashed)",
            [
                ([r.ms_per_payout for r in rows], "#1f77b4", ""),
                ([r.cpu_ms_per_payout for r in rows], "#2ca02c", ' stroke-dasharray="6,4"'),
            ],
        ),
        ("peak RSS of the runner (MB)", [([r.peak_mb for r in rows], "#d62728", "")]),
    ]
    for index, (title, series) in enumerate(panels):
        left = pad + index * (panel + pad)
        top, bottom = pad, height - pad
        top_value = max(v for values, _, _ in series for v in values) * 1.5 or 1
        parts.append(f'<text x="{left}" y="{top - 15}" font-weight="bold">{title}</text>')
        parts.append(
            f'<line x1="{left}" y1="{bottom}" x2="{left + panel}" y2="{bottom}" stroke="black"/>'
        )
        parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>')
        for tick in (0.0, top_value / 2, top_value):
            y = bottom - (bottom - top) * tick / top_value
            parts.append(
                f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{tick:.3g}</text>'
            )
        for row, x_log in zip(rows, xs, strict=True):
            x = left + panel * (x_log - x0) / (x1 - x0)
            parts.append(
                f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">{row.size:,}</text>'
            )
        for values, color, dash in series:
            points = []
            for x_log, value in zip(xs, values, strict=True):
                x = left + panel * (x_log - x0) / (x1 - x0)
                y = bottom - (bottom - top) * value / top_value
                points.append(f"{x:.1f},{y:.1f}")
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>')
                parts.append(
                    f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{value:.3g}</text>'
                )
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                f'stroke-width="2"{dash}/>'
            )
        parts.append(
            f'<text x="{left + panel / 2}" y="{height - 8}" text-anchor="middle">'
            "items (log scale)</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--out", type=Path, help="write bulk.md and bulk.svg into this directory")
    args = parser.parse_args()
    command = "python benchmarks/bench_bulk.py --sizes " + " ".join(map(str, args.sizes))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as workdir:
        for size in args.sizes:
            row = measure(size, Path(workdir))
            print(
                f"{size:>7} items: {row.seconds:8.1f} s, {row.ms_per_payout:.2f} ms/payout, "
                f"{row.rate:6.0f}/s, runner CPU {row.cpu_ms_per_payout:.2f} ms/payout, "
                f"peak {row.peak_mb:.0f} MB, exit {row.exit_status}",
                flush=True,
            )
            rows.append(row)
    print(table(rows, command))
    if args.out is not None:
        (args.out / "bulk.md").write_text(table(rows, command), encoding="utf-8")
        (args.out / "bulk.svg").write_text(svg(rows), encoding="utf-8")
    return 0 if all(r.exit_status == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
