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
TEST_REQUEST = re.compile(r"^request to \S+/test/")
FETCH_FAILED = re.compile(
    r"^(\w+): request to \S+?/(config|state|test)/\S* failed, reason: (.*)$")
PUT_CONFIG = re.compile(r"^Setup: PUT config resulted in (\d+)")
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


def no_response(result):
    """True when a test's request to the proxy got no HTTP response (node-fetch's FetchError:
    connection reset, socket hang up, a response node cannot parse) on a test URL."""
    return (isinstance(result, list) and result[0] == "FetchError"
            and TEST_REQUEST.search(result[1]) is not None)


def harness_error(result):
    """Why a result is the harness failing rather than the cache, or None.

    Not harness errors, though they look alike:
    - "Setup" failures (a request that sets a test up did not get the expected answer, e.g.
      "Response 2 does not come from cache"; nginx has 11, every bundled cache some) and
      ["Setup", "retry"] (the cache retried a request): the cache's behaviour, not passed,
      as on the results site.
    - no_response on a /test/ request: the proxy hung up or sent something unparsable in
      answer to a test's request. Some tests provoke exactly that (stale-close*: the origin
      closes the connection, and a proxy that passes the hang-up on fails them; browsers
      fail them with TypeError the same way), so it is a failed test, listed after the table.
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
    if no_response(result) and "ECONNREFUSED" not in message:
        return None
    # Left: a refused connection (nothing listens: the proxy is down), no response to the
    # harness's own /config/ or /state/ requests, or another error name (TypeError,
    # SyntaxError from a mangled GET /state/<uuid>, ...): the harness code itself throwing.
    return f"{name}: {message}"


def summary(why):
    """A harness error's message without what differs from test to test (uuids, request
    bodies quoted in a 400 answer), so alike errors group together."""
    fetch = FETCH_FAILED.match(why)
    if fetch:
        return f"{fetch[1]}: {fetch[2]} request got no response: {fetch[3]}"
    put = PUT_CONFIG.match(why)
    if put:
        return f"Setup: the harness's PUT /config/<uuid> got {put[1]}, not 201"
    why = UUID.sub("<uuid>", why)
    return why if len(why) <= 100 else why[:100] + "..."


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
        sys.exit(f"error: {results_path} is not the suite's results JSON ({e}): "
                 "the client crashed?")
    if not isinstance(results, dict):
        sys.exit(f"error: {results_path} is not a map of test id to result")

    errors = {tid: "no result (the client stopped early?)" for tid in tests if tid not in results}
    errors.update((tid, why) for tid, r in results.items() if (why := harness_error(r)))
    if errors:
        # Grouped by a summary of the message: a dead proxy is one line, not 350.
        groups = {}
        for tid in sorted(errors):
            groups.setdefault(summary(errors[tid]), []).append(tid)
        print(f"error: {len(errors)} of {len(tests)} tests hit harness errors, "
              "the run is not a score:", file=sys.stderr)
        for why, ids in sorted(groups.items(), key=lambda g: -len(g[1])):
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            print(f"  {len(ids)} x {why}\n    tests: {', '.join(ids[:5])}{more}", file=sys.stderr)
        sys.exit(1)

    raw = {tid: results[tid] is True for tid in tests}
    memo = {}

    def passed_with_deps(tid):
        if tid not in memo:
            memo[tid] = False  # a (never expected) dependency cycle counts as not passed
            memo[tid] = raw.get(tid, False) and all(
                passed_with_deps(d) for d in tests[tid]["depends_on"])
        return memo[tid]

    print("| kind | tests | passed (raw) | passed (with dependencies) |")
    print("|---|---|---|---|")
    for kind in KINDS:
        ids = [tid for tid, t in tests.items() if t["kind"] == kind]
        with_deps = sum(passed_with_deps(t) for t in ids)
        print(f"| {kind} | {len(ids)} | {sum(raw[t] for t in ids)} | {with_deps} |")

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
    print(f"required passes not counted, a dependency failed ({len(blocked)}): "
          f"{', '.join(blocked) or 'none'}")
    hung_up = [f"{tid} ({results[tid][1].partition('reason: ')[2]})"
               for tid in sorted(tests) if no_response(results[tid])]
    if hung_up:
        print(f"no HTTP response from the proxy, counted as failed ({len(hung_up)}): "
              f"{', '.join(hung_up)}")


if __name__ == "__main__":
    main()
