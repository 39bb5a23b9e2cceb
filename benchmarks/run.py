"""Run the benchmarks and print one table: NegMAS time, entente time, and their ratio.

python benchmarks/run.py                       # everything
python benchmarks/run.py random --sizes 1000 100000 --repeats 5
python benchmarks/run.py genius --only negotiation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import genius_domains, random_domains
from benchmarks._common import DATA, Row, have_negmas


def _ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e3:,.1f}"


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table (milliseconds)."""
    head = ("benchmark", "domain", "outcomes", "NegMAS ms", "entente ms", "ratio", "target", "note")
    body = [
        (
            r.benchmark,
            r.domain,
            f"{r.outcomes:,}",
            _ms(r.negmas_s),
            _ms(r.entente_s),
            "-" if r.ratio is None else f"{r.ratio:,.0f}x",
            r.target,
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in (head, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("which", nargs="?", choices=("all", "random", "genius"), default="all")
    ap.add_argument("--only", choices=("frontier", "negotiation"), help="one kind of work")
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(random_domains.SIZES),
        help="outcome counts of the random domains (powers of 10)",
    )
    ap.add_argument("--repeats", type=int, default=5, help="entente runs per item (best kept)")
    ap.add_argument("--negmas-repeats", type=int, default=1, help="NegMAS runs per item")
    ap.add_argument("--rounds", type=int, default=100, help="deadline of each negotiation")
    args = ap.parse_args(argv)
    kinds = (args.only,) if args.only else ("frontier", "negotiation")
    if not have_negmas():
        print("NegMAS is not installed (pip install -e '.[bench]'): timing entente alone.")
    rows: list[Row] = []
    if args.which in ("all", "random"):
        rows += random_domains.run(
            args.sizes, args.repeats, args.negmas_repeats, args.rounds, kinds
        )
    if args.which in ("all", "genius"):
        if genius_domains.available():
            rows += genius_domains.run(args.repeats, args.negmas_repeats, args.rounds, kinds)
        else:
            print(f"GENIUS domains not found under {DATA}: skipping the Travel/Energy benchmarks.")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
