#!/usr/bin/env python3
"""Turn the raw measurements of bench/run into latest.json, latest.md and
ratios.png.

usage: report.py META_DIR OUT_DIR

META_DIR holds (tab-separated): meta.env (key=value), workloads.tsv
(id, title, command), contenders.tsv (name, ran|skipped, reason, version,
invocation), times.tsv (workload, contender, round, seconds) and cells.tsv
(workload, contender, note; "state=..." is the cell's final state).
"""
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys


def read_tsv(path, ncols):
    rows = []
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                parts += [""] * (ncols - len(parts))
                rows.append(parts[:ncols])
    return rows


def machine_info():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1048576:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        load = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        load = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "os": platform.freedesktop_os_release().get("PRETTY_NAME", "")
        if hasattr(platform, "freedesktop_os_release") else "",
        "loadavg_at_end": load,
    }


def esc(text):
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def fmt_ratio(x):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_secs(x):
    if x is None:
        return "n/a"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms"


def main():
    meta_dir, out = sys.argv[1], sys.argv[2]
    meta = {}
    with open(os.path.join(meta_dir, "meta.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    workloads = read_tsv(os.path.join(meta_dir, "workloads.tsv"), 3)
    contenders = read_tsv(os.path.join(meta_dir, "contenders.tsv"), 5)
    times = read_tsv(os.path.join(meta_dir, "times.tsv"), 4)
    cells = read_tsv(os.path.join(meta_dir, "cells.tsv"), 3)

    names = [c[0] for c in contenders]
    ran = [c[0] for c in contenders if c[1] == "ran"]
    t = {}  # (w, c) -> {round: seconds}
    for w, c, r, s in times:
        t.setdefault((w, c), {})[int(r)] = float(s)
    state, notes = {}, {}
    for w, c, text in cells:
        if text.startswith("state="):
            state[(w, c)] = text[len("state="):]
        else:
            notes.setdefault((w, c), []).append(text)

    results = {}
    for w, _title, _cmd in workloads:
        res = results[w] = {}
        nat = t.get((w, "native"), {}) if state.get((w, "native")) == "ok" else {}
        for c in names:
            if c not in ran:
                res[c] = {"status": "skipped"}
                continue
            st = state.get((w, c), "not run")
            cell = {"status": st, "notes": notes.get((w, c), [])}
            tt = t.get((w, c), {})
            if tt:
                vals = [tt[r] for r in sorted(tt)]
                cell["times"] = vals
                cell["median"] = statistics.median(vals)
                cell["min"] = min(vals)
            if st == "ok" and nat and c != "native":
                ratios = [tt[r] / nat[r] for r in sorted(tt) if r in nat and nat[r] > 0]
                if ratios:
                    cell["ratios"] = ratios
                    cell["ratio_median"] = statistics.median(ratios)
                    cell["ratio_min"] = min(ratios)
            res[c] = cell

    now = datetime.datetime.now(datetime.timezone.utc).astimezone()
    doc = {
        "date": now.isoformat(timespec="seconds"),
        "mode": meta.get("mode"),
        "rounds": int(meta.get("rounds", 0)),
        "warmup_rounds": 1,
        "timeout_s": int(meta.get("timeout", 0)),
        "elapsed_s": int(meta.get("elapsed", 0)),
        "machine": machine_info(),
        "layout": {"filesystem": meta.get("work_fs"), "note": meta.get("work_note", "")},
        "base": {
            "recipe": meta.get("base_recipe"),
            "entries": int(meta.get("base_entries") or 0),
            "built": meta.get("base_date"),
        },
        "workloads": [{"id": w, "title": ti, "command": cmd} for w, ti, cmd in workloads],
        "contenders": [
            {"name": c[0], "status": c[1], "reason": c[2], "version": c[3], "invocation": c[4]}
            for c in contenders
        ],
        "results": results,
    }
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "latest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    # ---- Markdown --------------------------------------------------------
    def cell_text(w, c, what):
        cell = results[w][c]
        st = cell["status"]
        if st == "skipped":
            return "skipped"
        if st != "ok":
            return st
        if what == "ratio":
            if c == "native":
                return fmt_secs(cell.get("median"))
            return fmt_ratio(cell.get("ratio_median"))
        return f"{fmt_secs(cell.get('median'))} / {fmt_secs(cell.get('min'))}"

    m = doc["machine"]
    md = []
    md.append("# vroot benchmark results\n")
    md.append(f"- date: {doc['date']}")
    md.append(f"- machine: {m['nproc']} cores, {m['cpu']}, {m['memory']}, "
              f"kernel {m['kernel']}, {m['os']}; load average at end: {m['loadavg_at_end']}")
    md.append(f"- mode: {doc['mode']}, {doc['rounds']} timed rounds after 1 warm-up round, "
              f"contenders interleaved; run took {doc['elapsed_s']} s")
    md.append(f"- base tree: `{doc['base']['recipe']}`, {doc['base']['entries']} entries; "
              f"laid out on {doc['layout']['filesystem']}")
    if doc["layout"]["note"]:
        md.append(f"- note: {doc['layout']['note']}")
    md.append("")
    md.append("## Ratio to native (median over rounds of t_contender / t_native; lower is better)\n")
    md.append("The native column is native's median wall time. A cell that is not a number "
              "was not measured: see the notes below.\n")
    if meta.get("has_native") != "1":
        md.append("Native did not run, so there are no ratios (n/a), and outputs were checked "
                  "against another contender's.\n")
    md.append("| workload | " + " | ".join(names) + " |")
    md.append("|---|" + "---:|" * len(names))
    for w, title, _cmd in workloads:
        md.append(f"| {w} {esc(title)} | " + " | ".join(cell_text(w, c, "ratio") for c in names) + " |")
    md.append("")
    md.append("## Wall time, median / min\n")
    md.append("| workload | " + " | ".join(names) + " |")
    md.append("|---|" + "---:|" * len(names))
    for w, title, _cmd in workloads:
        md.append(f"| {w} | " + " | ".join(cell_text(w, c, "time") for c in names) + " |")
    md.append("")
    skipped = [c for c in doc["contenders"] if c["status"] != "ran"]
    if skipped:
        md.append("## Skipped contenders\n")
        for c in skipped:
            md.append(f"- **{c['name']}**: {c['reason']}")
        md.append("")
    bad = [(w, c, results[w][c]) for w, _t, _c in workloads for c in names
           if results[w][c]["status"] not in ("ok", "skipped")]
    if bad:
        md.append("## Cells without a number\n")
        for w, c, cell in bad:
            detail = [n for n in cell["notes"] if not n.startswith("reference output")]
            md.append(f"- {w} / {c}: {esc(detail[0]) if detail else cell['status']}")
        md.append("")
    md.append("## Workloads\n")
    md.append("Each runs as `sh -c 'cd / || exit 1; COMMAND'` inside the contender's view "
              "of the base tree; its stdout must equal native's.\n")
    md.append("| id | command | reference output |")
    md.append("|---|---|---|")
    for w, _title, cmd in workloads:
        ref = next((n.split(": ", 1)[1] if n.startswith("reference output: ") else n
                    for c in names for n in results[w].get(c, {}).get("notes", [])
                    if n.startswith("reference output")), "")
        md.append(f"| {w} | `{esc(cmd)}` | {esc(ref.strip())} |")
    md.append("")
    md.append("## Contenders\n")
    md.append("| contender | how it runs a command | version |")
    md.append("|---|---|---|")
    for c in doc["contenders"]:
        md.append(f"| {c['name']} | `{c['invocation']}` | {c['version'] or '-'} |")
    md.append("")

    # ---- chart -----------------------------------------------------------
    others = [c for c in names if c != "native" and any(
        results[w][c].get("ratio_median") and results[w][c]["status"] == "ok"
        for w, _t, _c in workloads)]
    chart = os.path.join(out, "ratios.png")
    if os.path.exists(chart):
        os.unlink(chart)
    if not shutil.which("gnuplot"):
        md.append("Chart not drawn: gnuplot is not installed (apt-get install gnuplot-nox).\n")
    elif not others:
        md.append("Chart not drawn: no ratio was measured.\n")
    else:
        dat = os.path.join(meta_dir, "ratios.dat")
        with open(dat, "w") as f:
            f.write("workload " + " ".join(f'"{c}"' for c in others) + "\n")
            for w, _t, _c in workloads:
                vals = []
                for c in others:
                    r = results[w][c].get("ratio_median") if results[w][c]["status"] == "ok" else None
                    vals.append(f"{r:.4f}" if r else "?")
                f.write(w + " " + " ".join(vals) + "\n")
        colors = {"vroot": "#d62728", "overlayfs": "#2ca02c", "fuse-overlayfs": "#17becf",
                  "proot": "#ff7f0e", "proot-0": "#ffbb78", "fakechroot": "#9467bd",
                  "bwrap": "#8c8c8c"}
        lines = " ".join(f'set linetype {i + 1} lc rgb "{colors.get(c, "#1f77b4")}";'
                         for i, c in enumerate(others))
        not_drawn = [c for c in names if c != "native" and c not in others]
        skipped_label = ""
        if not_drawn:
            text = "not drawn (no ratio): " + ", ".join(not_drawn)
            skipped_label = f'set label "{text}" at screen 0.01, screen 0.02 left font ",9"'
        gp = f"""
set terminal pngcairo size 1200,600 noenhanced font ",10"
set output "{chart}"
set title "Wall time relative to native: median of per-round ratios, log scale ({doc['mode']} run, {doc['date']}). No bar: not measured, see latest.md"
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.1:*]
set ylabel "t / t_native"
set grid ytics
set key outside right top
{lines}
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lw 1.5
{skipped_label}
plot for [i=2:{len(others) + 1}] "{dat}" using i:xtic(1) title columnheader(i) lt (i - 1)
"""
        with open(os.path.join(meta_dir, "ratios.gp"), "w") as f:
            f.write(gp)
        p = subprocess.run(["gnuplot", os.path.join(meta_dir, "ratios.gp")],
                           capture_output=True, text=True)
        if p.returncode != 0:
            md.append(f"Chart not drawn: gnuplot failed: {p.stderr.strip().splitlines()[-1:]}\n")
        else:
            md.append("![ratios](ratios.png)\n")
    with open(os.path.join(out, "latest.md"), "w") as f:
        f.write("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
