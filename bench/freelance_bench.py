#!/usr/bin/env python3
"""freelance against Watson on the same 1,000,000 entries (issue 12's benchmark).

Generates five years of back-to-back entries over 200 projects as a Watson frames file,
imports it into freelance, and times whole processes, alternating the two tools in the same
run: `status` with an entry running, and a one-year report. Prints a markdown table.

Usage: freelance_bench.py <freelance binary> <watson binary> <work dir> [entries] [runs] [watson runs]
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time

YEAR_FROM, YEAR_TO = "2025-01-01", "2025-12-31"


def generate(path, entries):
    """Back-to-back entries ending now-ish: 5 years, 200 projects, a third tagged."""
    rng = random.Random(12)
    end = 1795000000  # Nov 2026
    start = end - 5 * 365 * 86400
    step = (end - start) // entries
    frames = []
    for i in range(entries):
        begin = start + i * step + rng.randrange(0, step // 4)
        stop = begin + rng.randrange(step // 3, step // 2)
        tags = [rng.choice(["design", "dev", "call", "admin"])] if i % 3 == 0 else []
        frames.append([begin, stop, f"project{rng.randrange(200):03d}", f"{i:032x}", tags, stop])
    with open(path, "w") as out:
        json.dump(frames, out)


def timed(argv, env, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - began) * 1000)
        if done.returncode != 0:
            sys.exit(f"{argv} failed: {done.stderr.decode()}")
    return times


def main():
    freelance, watson, work = sys.argv[1], sys.argv[2], sys.argv[3]
    entries = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000_000
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 30
    watson_runs = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    os.makedirs(work, exist_ok=True)
    frames = os.path.join(work, f"frames-{entries}.json")
    if not os.path.exists(frames):
        generate(frames, entries)
    watson_dir = os.path.join(work, "watson")
    os.makedirs(watson_dir, exist_ok=True)
    with open(frames) as source, open(os.path.join(watson_dir, "frames"), "w") as target:
        target.write(source.read())
    env = dict(os.environ, TZ="UTC", WATSON_DIR=watson_dir,
               FREELANCE_DB=os.path.join(work, "freelance.db"),
               FREELANCE_CONFIG=os.path.join(work, "none.toml"))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(env["FREELANCE_DB"] + suffix):
            os.remove(env["FREELANCE_DB"] + suffix)
    began = time.perf_counter()
    subprocess.run([freelance, "import", "--from", "watson", frames], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    import_secs = time.perf_counter() - began
    subprocess.run([freelance, "start", "project007", "+bench"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(watson_dir, "state"), "w") as state:
        json.dump({"project": "project007", "start": int(time.time()), "tags": ["bench"]}, state)

    # The same year from both, to show they add up the same entries.
    ours = json.loads(subprocess.run(
        [freelance, "report", "since", YEAR_FROM, "until", YEAR_TO, "--json"],
        env=env, check=True, capture_output=True).stdout)
    theirs = json.loads(subprocess.run(
        [watson, "report", "--from", YEAR_FROM, "--to", YEAR_TO, "--json"],
        env=env, check=True, capture_output=True).stdout)
    print(f"one-year totals: freelance {ours['total']['seconds']} s, watson {round(theirs['time'])} s")

    cases = [
        ("status", [freelance, "status"], [watson, "status"]),
        ("one-year report", [freelance, "report", "since", YEAR_FROM, "until", YEAR_TO],
         [watson, "report", "--from", YEAR_FROM, "--to", YEAR_TO]),
    ]
    rows = []
    for name, ours_argv, theirs_argv in cases:
        ours_ms, theirs_ms = [], []
        # Alternate, so both see the same machine.
        for round_ in range(max(runs, watson_runs)):
            if round_ < runs:
                ours_ms += timed(ours_argv, env, 1)
            if round_ < watson_runs:
                theirs_ms += timed(theirs_argv, env, 1)
        ours_median, theirs_median = statistics.median(ours_ms), statistics.median(theirs_ms)
        ours_p95 = sorted(ours_ms)[max(0, int(len(ours_ms) * 0.95) - 1)]
        rows.append((name, ours_median, ours_p95, len(ours_ms), theirs_median, len(theirs_ms)))
    day_ms = timed([freelance, "report", "since", YEAR_FROM, "until", YEAR_TO, "--by", "day"], env, runs)

    print(f"\nimport of {entries} Watson frames: {import_secs:.1f} s\n")
    print("| command | freelance median | freelance p95 | Watson median | Watson / freelance |")
    print("|---|---|---|---|---|")
    for name, median, p95, n, theirs, m in rows:
        print(f"| `{name}` | {median:.1f} ms (n={n}) | {p95:.1f} ms | {theirs:.0f} ms (n={m}) | {theirs / median:.0f}x |")
    print(f"| `report --by day` (one year) | {statistics.median(day_ms):.1f} ms (n={runs}) | "
          f"{sorted(day_ms)[max(0, int(len(day_ms) * 0.95) - 1)]:.1f} ms | - | - |")


if __name__ == "__main__":
    main()
