"""Long fault-injection runs: many SIGKILLs of node and central, for several seeds.

Usage: .venv/bin/python bench/faults.py [--injections 2000] [--seeds 3] [--seed S]
Each run prints `injections=N lost=0 duplicated=0 seed=S`; a seed that loses or doubles
anything can be replayed with --seed S. (CI runs 200 with a fixed seed.)
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--injections", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, help="replay one seed")
    args = parser.parse_args()
    seeds = (
        [args.seed]
        if args.seed is not None
        else [random.SystemRandom().randrange(1, 2**31) for _ in range(args.seeds)]
    )
    failed = 0
    for seed in seeds:
        env = {
            **os.environ,
            "KIOSK_FAULT_INJECTIONS": str(args.injections),
            "KIOSK_FAULT_SEED": str(seed),
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_fault_injection.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("injections=")]
        print(lines[-1] if lines else f"seed={seed}: no summary\n{result.stdout[-2000:]}")
        failed += result.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
