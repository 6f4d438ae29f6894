"""``kunde train --only recommend`` on the full Online Retail store beside implicit's BM25 fit.

Both sides are whole processes on the same SQLite store (UCI Online Retail imported with
``kunde import orders ... --format online-retail``):

* kunde: ``kunde train --only recommend`` — reads the lines, builds every matrix and fits the
  personal ranking (blend + learned re-ranker, or the blend alone with ``--no-reranker``),
  "also bought", complements, popularity and text features, writes the versioned artefact;
* anchor: a Python process that reads the same lines (product lines, returns netted, the
  customers' own) from the same store, builds the customer x product matrix and fits
  ``implicit``'s ``BM25Recommender(K=50)``.

Median of ``--repeats`` runs each, interleaved; wall and CPU (user + system of the child).
``--other SRC`` also runs kunde from another source tree (e.g. main's ``src`` on
``PYTHONPATH``) in the same rounds, so that a change is measured under the same load.
Target (issue 3): ratio <= 1.0.
Data: UCI Online Retail, Daqing Chen, CC BY 4.0 (doi:10.24432/C5BW33).
Run: ``python bench/recommend_train.py [--repeats 3] [--no-reranker] [--other ../main/src]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine, print_table, write_result
from _online_retail import CREDIT, DATA

ANCHOR = """
import sqlite3, sys
import numpy as np, scipy.sparse as sp
from implicit.nearest_neighbours import BM25Recommender
con = sqlite3.connect(sys.argv[1])
rows = con.execute(
    "SELECT customer_id, product_id FROM order_lines WHERE kind = 'product' "
    "AND product_id IS NOT NULL AND quantity > 0 AND quantity - returned_quantity > 0 "
    "AND customer_id IS NOT NULL AND customer_id != '' AND NOT is_gift"
).fetchall()
cust, prod = zip(*rows)
users, u = np.unique(np.array(cust), return_inverse=True)
items, i = np.unique(np.array(prod), return_inverse=True)
m = sp.csr_matrix((np.ones(len(u), np.float32), (u, i)), shape=(len(users), len(items)))
m.sum_duplicates()
BM25Recommender(K=50, K1=1.2, B=0.75).fit(m, show_progress=False)
"""


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    seconds, _, out = _timed_cpu(command, env)
    return seconds, out


def _timed_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {done.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return seconds, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-reranker", action="store_true", help="train the blend only")
    parser.add_argument("--other", help="also run kunde from this source tree (PYTHONPATH)")
    args = parser.parse_args()
    kunde = [sys.executable, "-c", "from kunde.cli import main; main()"]
    with tempfile.TemporaryDirectory(prefix="kunde-bench-train-") as tmp:
        db = Path(tmp) / "kunde.db"
        env = {
            **os.environ,
            "KUNDE_DATABASE_URL": f"sqlite:///{db}",
            "KUNDE_DATA_DIR": f"{tmp}/data",
            "KUNDE_RECOMMEND_RERANKER": "false" if args.no_reranker else "true",
        }
        _timed([*kunde, "init"], env)
        import_s, _ = _timed(
            [*kunde, "import", "orders", str(DATA), "--format", "online-retail", "--json"], env
        )
        print(f"imported Online Retail into {db} in {import_s:.1f} s")
        train_cmd = [*kunde, "train", "--only", "recommend", "--json"]
        anchor_cmd = [sys.executable, "-c", ANCHOR, str(db)]
        _timed(anchor_cmd, env)  # warm the page cache and imports once
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            "anchor": (anchor_cmd, env),
            "kunde": (train_cmd, env),
        }
        if args.other:
            other_src = str(Path(args.other).resolve())
            runs["other"] = (train_cmd, {**env, "PYTHONPATH": other_src})
        wall: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        manifest: dict[str, object] = {}
        other_manifest: dict[str, object] = {}
        for _ in range(args.repeats):
            for name, (command, run_env) in runs.items():
                seconds, cpu_s, out = _timed_cpu(command, run_env)
                wall[name].append(seconds)
                cpu[name].append(cpu_s)
                if name == "kunde":
                    manifest = json.loads(out)["recommend"]
                elif name == "other":
                    other_manifest = json.loads(out)["recommend"]
    kunde_s, anchor_s = wall["kunde"], wall["anchor"]
    med = {name: statistics.median(values) for name, values in wall.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    k_med, a_med = med["kunde"], med["anchor"]
    ratio = k_med / a_med
    ranking = "blend" if args.no_reranker else "blend + learned re-ranker"
    rows = [
        [
            "implicit BM25 incl. reading the store and its matrix (anchor)",
            round(a_med, 2),
            round(med_cpu["anchor"], 2),
            1,
            1,
        ],
        [
            f"kunde train --only recommend ({ranking})",
            round(k_med, 2),
            round(med_cpu["kunde"], 2),
            round(ratio, 2),
            round(med_cpu["kunde"] / med_cpu["anchor"], 2),
        ],
    ]
    if args.other:
        rows.append(
            [
                f"same, code from {args.other}",
                round(med["other"], 2),
                round(med_cpu["other"], 2),
                round(med["other"] / a_med, 2),
                round(med_cpu["other"] / med_cpu["anchor"], 2),
            ]
        )
    print_table(
        f"whole processes on the Online Retail store, median of {args.repeats} ({CREDIT}), "
        f"load {os.getloadavg()[0]:.1f} at the end",
        ["run", "wall s", "CPU s", "ratio wall", "ratio CPU"],
        rows,
    )
    print(
        f"\nkunde's own split: {manifest.get('seconds')} (read = store to arrays; fit = all models)"
        + (f"\nother's split: {other_manifest.get('seconds')}" if args.other else "")
        + f"\nratio {ratio:.2f} (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT MET'})"
    )
    name = "recommend_train_blend" if args.no_reranker else "recommend_train"
    path = write_result(
        name,
        {
            "machine": {**machine("implicit"), "load_avg_at_start": os.getloadavg()[0]},
            "credit": CREDIT,
            "repeats": args.repeats,
            "kunde_s": kunde_s,
            "anchor_s": anchor_s,
            "kunde_cpu_s": cpu["kunde"],
            "anchor_cpu_s": cpu["anchor"],
            "ratio": ratio,
            "other": None
            if not args.other
            else {"src": args.other, "wall_s": wall["other"], "cpu_s": cpu["other"]},
            "personal_ranking": manifest.get("personal_ranking"),
            "kunde_breakdown_s": manifest.get("seconds"),
            "lines": manifest.get("lines"),
        },
    )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
