#!/usr/bin/env python3
"""Pass counts by kind of a run of the HTTP caching test suite (http-cache-tests, npm).

Usage: bench/proxy_conformance_report.py <results.json> <package dir>

<results.json> is what the suite's cli.mjs printed: a map of test id to `true` or
`[error name, message]`. The kinds and dependencies are not in the results; they come from
the suite's own test modules (tests/index.mjs plus tests/surrogate-control.mjs, the list
cli.mjs runs), loaded with node rather than parsed, since they are JavaScript built from
templates and helpers.

Counting follows the results site (lib/display.mjs, determineTestResult): no `kind` means
required; `browser_only` tests are not run against a proxy and not counted; "with
dependencies" counts a passed test as failed when any test it `depends_on` (transitively)
did not pass.

Exits 1, printing them, when the run has harness errors instead of results: a run with
them does not measure the cache (see harness_error below).
"""

import json
import re
import subprocess
import sys

KINDS = ("required", "optimal", "check")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Prints id, kind, depends_on of every test cli.mjs would run against a proxy.
LOAD_TESTS = """
import { pathToFileURL } from 'url'
const pkg = process.argv[1]
const load = async path => (await import(pathToFileURL(`${pkg}/${path}`).href)).default
const suites = [...await load('tests/index.mjs'), await load('tests/surrogate-control.mjs')]
const tests = suites.flatMap(suite => suite.tests)
  .filter(test => test.browser_only !== true)
  .map(test => ({ id: test.id, kind: test.kind || 'required', depends_on: test.depends_on || [] }))
console.log(JSON.stringify(tests))
"""


def load_tests(pkg):
    out = subprocess.run(
        ["node", "--no-warnings", "--input-type=module", "-e", LOAD_TESTS, pkg],
        check=True, capture_output=True, text=True,
    ).stdout
    tests = json.loads(out)
    unknown = {t["kind"] for t in tests} - set(KINDS)
    if unknown:
        sys.exit(f"error: unknown test kinds {sorted(unknown)} (another suite version?)")
    return {t["id"]: t for t in tests}


def harness_error(result):
    """Why a result is the harness failing rather than the cache, or None.

    Not harness errors, though they look alike: "Setup" failures (a request that sets a test
    up did not get the expected answer, e.g. "Response 2 does not come from cache"; nginx has
    11, every bundled cache some) and ["Setup", "retry"] (the cache retried a request). They
    are the cache's behaviour and count as not passed, as on the results site.
    """
    if result is True:
        return None
    if not (isinstance(result, list) and len(result) == 2):
        return f"unexpected result {result!r}"
    name, message = result
    if name == "Assertion":
        return None
    if name == "Setup":
        # The harness's own PUT /config/<uuid> did not come back 201 through the proxy: the
        # origin never learnt what to answer, so the test says nothing about caching.
        if message.startswith("PUT config resulted in"):
            return f"{name}: {message}"
        return None
    # FetchError: no HTTP response at all (connection refused or reset, socket hang up, a
    # response node cannot parse). Whether the proxy is down or sent something broken, the
    # suite cannot judge the test; fix that first. Any other name (TypeError, SyntaxError
    # from a mangled GET /state/<uuid>, ...) is the harness code itself throwing.
    return f"{name}: {message}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    results_path, pkg = sys.argv[1], sys.argv[2]
    tests = load_tests(pkg)
    try:
        with open(results_path) as f:
            results = json.load(f)
    except ValueError as e:
        # cli.mjs prints the JSON only at the end; anything else means the client crashed.
        sys.exit(f"error: {results_path} is not the suite's results JSON ({e}); the client crashed?")
    if not isinstance(results, dict):
        sys.exit(f"error: {results_path} is not a map of test id to result")

    errors = {tid: "no result (the client stopped early?)" for tid in tests if tid not in results}
    errors.update((tid, why) for tid, r in results.items() if (why := harness_error(r)))
    if errors:
        # Grouped by message (test uuids masked): a dead proxy is one line, not 350.
        groups = {}
        for tid in sorted(errors):
            groups.setdefault(UUID.sub("<uuid>", errors[tid]), []).append(tid)
        print(f"error: {len(errors)} of {len(tests)} tests hit harness errors, the run is not a score:",
              file=sys.stderr)
        for why, ids in sorted(groups.items(), key=lambda g: -len(g[1])):
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            print(f"  {len(ids)} x {why}\n    tests: {', '.join(ids[:5])}{more}", file=sys.stderr)
        sys.exit(1)

    raw = {tid: results[tid] is True for tid in tests}
    memo = {}

    def passed_with_deps(tid):
        if tid not in memo:
            memo[tid] = False  # a (never expected) dependency cycle counts as not passed
            memo[tid] = raw.get(tid, False) and all(passed_with_deps(d) for d in tests[tid]["depends_on"])
        return memo[tid]

    print("| kind | tests | passed (raw) | passed (with dependencies) |")
    print("|---|---|---|---|")
    for kind in KINDS:
        ids = [tid for tid, t in tests.items() if t["kind"] == kind]
        print(f"| {kind} | {len(ids)} | {sum(raw[t] for t in ids)} | {sum(passed_with_deps(t) for t in ids)} |")

    required = sorted(tid for tid, t in tests.items() if t["kind"] == "required")
    failed = [tid for tid in required if not raw[tid]]
    print()
    print(f"required failures ({len(failed)}): {', '.join(failed) or 'none'}")
    # Passed on their own but not counted: they rest on a test (often an optimal one, e.g.
    # status-*-fresh) that failed, so the fix is in the dependency.
    blocked = [
        f"{tid} (needs {', '.join(d for d in tests[tid]['depends_on'] if not passed_with_deps(d))})"
        for tid in required if raw[tid] and not passed_with_deps(tid)
    ]
    print(f"required passes not counted, a dependency failed ({len(blocked)}): {', '.join(blocked) or 'none'}")


if __name__ == "__main__":
    main()
