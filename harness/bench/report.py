#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report of a `make bench` run: Markdown, CSV and charts from bench.json.

Usage: report.py BENCH_JSON OUTDIR [--compare OTHER_JSON]

Writes OUTDIR/report.md (printed too), OUTDIR/bench.csv, OUTDIR/ratios.png
(rust_ramfs / ramfs and rust_ramfs,lim / tmpfs,lim per metric, with the
spread over the rounds) and OUTDIR/scaling.png (cost per operation against
the number of entries).  With --compare, adds the run-to-run difference of
the medians between the two runs (the repeatability check).

A ratio is a cost ratio: below 1.00 rust_ramfs is cheaper.  The target is
at most 1.02 against ramfs on every metric, and at most 1.00 against tmpfs.
"""

import argparse
import csv
import json
import os
import statistics

PAIRS = (("rust_ramfs", "ramfs", 1.02), ("rust_ramfs,lim", "tmpfs,lim", 1.00))
MEMORY = (("slab_per_file", "slab bytes per empty file"),
          ("slab_per_dir", "slab bytes per directory"),
          ("kib_per_mib", "KiB per MiB of data"))


def per_metric(data):
    """{config: {metric: [values over the measured rounds]}}."""
    out = {}
    for rnd in data["rounds_data"]:
        for cfg, res in rnd["results"].items():
            for metric, v in res.items():
                out.setdefault(cfg, {}).setdefault(metric, []).append(v)
    return out


def ratio_spread(a, b):
    """Median ratio of a to b, and its min and max over the rounds, pairing round by round."""
    rs = [x / y for x, y in zip(a, b) if y]
    return statistics.median(a) / statistics.median(b), min(rs), max(rs)


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def unit(mode):
    return "instructions" if mode == "icount" else "ns"


def table(data, vals, other):
    metrics = list(vals["ramfs"])
    u = unit(data["mode"])
    lines = [
        f"| metric | ramfs | rust_ramfs | rust_ramfs / ramfs | tmpfs,lim | rust_ramfs,lim "
        f"| rust_ramfs,lim / tmpfs,lim | spread |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    for m in metrics:
        med = {c: statistics.median(vals[c][m]) for c in data["configs"]}
        spread = max((max(vals[c][m]) - min(vals[c][m])) / statistics.median(vals[c][m])
                     for c in data["configs"])
        cells = []
        row = {"metric": m}
        for (a, b, target) in PAIRS:
            r, lo, hi = ratio_spread(vals[a][m], vals[b][m])
            mark = "" if r <= target else " **over**"
            cells.append(f"{r:.3f} ({lo:.3f}-{hi:.3f}){mark}")
            row[f"{a}/{b}"] = round(r, 4)
        for c in data["configs"]:
            row[c] = med[c]
        row["spread"] = round(spread, 4)
        rows.append(row)
        lines.append(f"| {m} | {fmt(med['ramfs'])} | {fmt(med['rust_ramfs'])} | {cells[0]} "
                     f"| {fmt(med['tmpfs,lim'])} | {fmt(med['rust_ramfs,lim'])} | {cells[1]} "
                     f"| {spread * 100:.1f} % |")
    note = (f"Medians over {len(data['rounds_data'])} rounds, in {u} per operation; ratios "
            "are medians with their min-max over the rounds (paired by round); spread is the "
            "largest (max - min) / median of the four configurations.")
    if data["mode"] == "icount":
        note += (" Under icount the guest has one vCPU: the par_* children run one after "
                 "another, so those rows show the cost of interleaving, not parallel scaling. "
                 "Path lookups (lookup_*, and the lookups inside the other metadata rows) "
                 "depend on dentry hash chains, whose layout changes with every mount and "
                 "boot: compare those rows over several runs.")
    if other:
        ovals = per_metric(other)
        worst = []
        for m in metrics:
            for c in data["configs"]:
                a, b = statistics.median(vals[c][m]), statistics.median(ovals[c][m])
                worst.append((abs(a - b) / b, m, c))
        worst.sort(reverse=True)
        diffs = [w[0] for w in worst]
        note += (f"\n\nRepeatability against a second run: medians differ by "
                 f"{statistics.median(diffs) * 100:.2f} % (median over metrics and "
                 f"configurations), at most {worst[0][0] * 100:.2f} % ({worst[0][1]}, "
                 f"{worst[0][2]}).")
    return "\n".join(lines), note, rows


def memory_table(data):
    lines = ["| | " + " | ".join(data["configs"]) + " |",
             "|---|" + "---:|" * len(data["configs"])]
    for key, what in MEMORY:
        lines.append(f"| {what} | " + " | ".join(
            f"{data['memory'][c][key]:.0f}" for c in data["configs"]) + " |")
    return "\n".join(lines)


def scaling_table(data):
    u = unit(data["mode"])
    sc = data["scaling"]
    if not any(sc.values()):
        return ""
    lines = [f"Cost per operation ({u}, median) against the number of entries:", "",
             "| metric | entries | " + " | ".join(data["configs"]) + " |",
             "|---|---:|" + "---:|" * len(data["configs"])]
    for m in sc["ramfs"]:
        for n in sc["ramfs"][m]:
            lines.append(f"| {m} | {int(n):,} | " + " | ".join(
                fmt(statistics.median(sc[c][m][n])) for c in data["configs"]) + " |")
    return "\n".join(lines)


def charts(data, vals, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    paths = []
    metrics = list(vals["ramfs"])
    fig, ax = plt.subplots(figsize=(12, 5))
    width = 0.4
    for i, (a, b, _t) in enumerate(PAIRS):
        rs = [ratio_spread(vals[a][m], vals[b][m]) for m in metrics]
        xs = [j + (i - 0.5) * width for j in range(len(metrics))]
        ax.bar(xs, [r[0] for r in rs], width, label=f"{a} / {b}",
               yerr=[[r[0] - r[1] for r in rs], [r[2] - r[0] for r in rs]], capsize=2)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(1.02, color="red", linewidth=0.8, linestyle="--", label="1.02 (target vs ramfs)")
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels(metrics, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("cost ratio (lower is better)")
    ax.set_title(f"rust_ramfs cost ratios, {data['kernel']}, {data['mode']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    p = os.path.join(outdir, "ratios.png")
    fig.savefig(p, dpi=100)
    paths.append(p)
    plt.close(fig)

    sc = data["scaling"]
    if any(sc.values()):
        ms = list(sc["ramfs"])
        cols = 4
        rows = (len(ms) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(14, 3 * rows), squeeze=False)
        for k, m in enumerate(ms):
            ax = axes[k // cols][k % cols]
            for c in data["configs"]:
                ns = sorted(sc[c][m], key=int)
                ax.plot([int(n) for n in ns], [statistics.median(sc[c][m][n]) for n in ns],
                        marker="o", label=c)
            ax.set_xscale("log")
            ax.set_title(m, fontsize=9)
            ax.tick_params(labelsize=7)
        for k in range(len(ms), rows * cols):
            axes[k // cols][k % cols].axis("off")
        axes[0][0].legend(fontsize=7)
        fig.suptitle(f"cost per operation ({unit(data['mode'])}) against entries")
        fig.tight_layout()
        p = os.path.join(outdir, "scaling.png")
        fig.savefig(p, dpi=100)
        paths.append(p)
        plt.close(fig)
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("outdir")
    ap.add_argument("--compare")
    args = ap.parse_args()
    data = json.load(open(args.json))
    other = json.load(open(args.compare)) if args.compare else None
    os.makedirs(args.outdir, exist_ok=True)
    vals = per_metric(data)
    tab, note, rows = table(data, vals, other)
    with open(os.path.join(args.outdir, "bench.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    paths = charts(data, vals, args.outdir)
    over = [r["metric"] for r in rows if r["rust_ramfs/ramfs"] > PAIRS[0][2]]
    md = [f"# rust_ramfs benchmark", "",
          f"Kernel: `{data['version']}`  ",
          f"Time: {data['mode']}"
          + (" (QEMU -icount shift=0: in-guest nanoseconds are executed instructions)"
             if data["mode"] == "icount" else ""),
          f"Workload: fsbench, {data['n']} entries, {data['mib']} MiB file; configurations "
          + ", ".join(f"`{c}`" + (f" (`{data['options'][c]}`)" if data["options"][c] else "")
                      for c in data["configs"]) + ".", "",
          tab, "", note, "",
          f"Over the 1.02 target against ramfs: {', '.join(over) if over else 'none'}.", "",
          "Kernel memory (from /proc/meminfo, after dropping caches):", "",
          memory_table(data), "", scaling_table(data), ""]
    report = "\n".join(md)
    with open(os.path.join(args.outdir, "report.md"), "w") as f:
        f.write(report)
    print(report)
    for p in [os.path.join(args.outdir, x) for x in ("report.md", "bench.csv")] + paths:
        print(f"==> {p}")


if __name__ == "__main__":
    main()
