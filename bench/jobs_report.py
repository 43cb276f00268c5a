"""Summarises bench/jobs.sh results (one JSON object per line) as two Markdown tables:
burn-down throughput and steady-rate latency, medians over rounds, per peer."""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
# The rate bench/jobs.sh asks for when it measures saturation (never reached).
SATURATION_RATE = 100000


def peer(row):
    if row.get("peer") == "groundwork":
        name = "groundwork/" + row["backend"]
        if row.get("prefetch"):
            name += " (prefetch %s" % row["prefetch"]
            name += ", deleted on success)" if row.get("retention_hours") == 0 else ")"
        return name
    if (row.get("local_queue") or -1) > 0:
        return "graphile-worker/postgres (local queue %s)" % row["local_queue"]
    return "graphile-worker/postgres"


def median(values):
    return statistics.median(values) if values else float("nan")


names = []
for row in rows:
    if peer(row) not in names:
        names.append(peer(row))

print("| burn-down | processes | jobs/s (median) | runs |")
print("|---|---|---|---|")
for name in names:
    for processes in (1, 2):
        runs = [r["jobs_per_sec"] for r in rows
                if "jobs_per_sec" in r and peer(r) == name and r["processes"] == processes]
        if runs:
            print(f"| {name} | {processes} | {median(runs):.0f} | {', '.join(f'{x:.0f}' for x in runs)} |")
print()
print("| steady saturation (1 process) | achieved enqueue+run rate, jobs/s | p50 ms | p99 ms |")
print("|---|---|---|---|")
for row in rows:
    if row.get("rate") == SATURATION_RATE:
        print(f"| {peer(row)} | {row['achieved_rate']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} |")
print()
print("| steady | processes | rate asked / achieved | p50 ms | p90 ms | p99 ms | max ms | runs |")
print("|---|---|---|---|---|---|---|---|")
for name in names:
    for processes in (1, 2):
        runs = [r for r in rows if "p99_ms" in r and peer(r) == name
                and r["processes"] == processes and r.get("rate") != SATURATION_RATE]
        if not runs:
            continue
        def m(key):
            return median([r[key] for r in runs])
        asked = median([r.get("rate", r.get("target_rate")) for r in runs])
        print(f"| {name} | {processes} | {asked:.0f} / {m('achieved_rate'):.0f} | {m('p50_ms'):.1f} "
              f"| {m('p90_ms'):.1f} | {m('p99_ms'):.1f} | {m('max_ms'):.1f} | {len(runs)} |")
