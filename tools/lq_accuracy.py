"""Accuracy of the location-quotient methods on synthetic two-region economies (README numbers).

Prints mean absolute and relative errors (and the bias) of the Type I output multipliers of
SLQ, CILQ, FLQ and AFLQ against the true regional table of iouq.regional.synthetic_two_region,
for several home-bias values of the generator.

    .venv/bin/python tools/lq_accuracy.py [--regions 500] [--sectors 20] [--seed 2013]
"""

from __future__ import annotations

import argparse

from iouq.regional import lq_accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=500)
    ap.add_argument("--sectors", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2013)
    args = ap.parse_args()
    for home_bias in (1.5, 3.0, 6.0):
        acc = lq_accuracy(args.regions, args.sectors, args.seed, deltas=(0.1, 0.2, 0.25, 0.3, 0.4), home_bias=home_bias)
        print(f"home bias {home_bias:g}: {args.regions} regions x {args.sectors} sectors, seed {args.seed}")
        print(acc.round(4).to_csv(index=False))


if __name__ == "__main__":
    main()
