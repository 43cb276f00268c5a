// Shared pieces of burndown.js and steady.js: flags, schema reset, a quiet
// logger and the worker child processes.
"use strict";

const { fork } = require("node:child_process");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { Logger, runMigrations } = require("graphile-worker");
const pg = require("pg");

const VERSION = require("graphile-worker/package.json").version;

// Every flag can also come from the environment (--database-url or
// DATABASE_URL, --jobs or JOBS, ...). `defaults` holds the script's own flags.
function options(defaults) {
  const all = {
    "database-url": undefined,
    concurrency: "32",
    processes: "1",
    // graphile's docs recommend a pool of max(10, concurrency + 2); its own
    // default is 10, which starves a 32-way pool (the LISTEN client is
    // taken from the same pool). Empty means "use the recommendation".
    "pool-size": "",
    // Opt-in batching knobs from graphile's performance docs; both are off
    // (-1) by default, so the default run measures the stock behaviour.
    "local-queue": "-1",
    "complete-batch-delay": "-1",
    ...defaults,
  };
  const { values } = parseArgs({
    options: Object.fromEntries(
      Object.keys(all).map((k) => [k, { type: "string" }]),
    ),
  });
  const out = {};
  for (const [k, dflt] of Object.entries(all)) {
    const env = process.env[k.toUpperCase().replace(/-/g, "_")];
    out[k] = values[k] ?? env ?? dflt;
  }
  if (!out["database-url"]) throw new Error("--database-url (or DATABASE_URL) is required");
  const concurrency = Number(out.concurrency);
  return {
    ...out,
    concurrency,
    processes: Number(out.processes),
    poolSize: Number(out["pool-size"]) || Math.max(10, concurrency + 2),
    localQueue: Number(out["local-queue"]),
    completeBatchDelay: Number(out["complete-batch-delay"]),
  };
}

// graphile-worker logs one info line per completed job; at thousands of jobs
// a second that is a measurable cost, so keep only warnings and errors.
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[${level}] ${message}`);
});

// Start from an empty, freshly migrated schema so runs don't see each
// other's leftovers (dead tuples, task ids, queues).
async function resetSchema(connectionString) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query("drop schema if exists graphile_worker cascade");
  await client.end();
  await runMigrations({ connectionString, logger: quietLogger });
}

// Fork `opts.processes` copies of worker.js. Each sends "ready" once its
// modules are loaded, "running" once its pool is listening, and its
// latencies (steady mode) when told to stop.
async function startWorkers(opts, mode) {
  const children = [];
  for (let i = 0; i < opts.processes; i++) {
    const child = fork(path.join(__dirname, "worker.js"), [], {
      env: {
        ...process.env,
        // Also skips graphile's per-job log line formatting entirely.
        NO_LOG_SUCCESS: "1",
        BENCH_MODE: mode,
        BENCH_OPTS: JSON.stringify(opts),
      },
    });
    // A worker dying mid-run would leave the parent polling forever.
    child.on("exit", (code) => {
      if (code !== 0) {
        console.error(`worker ${child.pid} exited with code ${code}`);
        process.exit(1);
      }
    });
    children.push(child);
  }
  await Promise.all(children.map((c) => waitFor(c, "ready")));
  return children;
}

function waitFor(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.type === type) {
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(msg);
      }
    };
    const onExit = (code) => reject(new Error(`worker exited (${code}) before '${type}'`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

// Ask every worker to stop gracefully and collect what they send back.
async function stopWorkers(children) {
  const replies = children.map((c) => waitFor(c, "stopped"));
  const exits = children.map((c) => new Promise((r) => c.once("exit", r)));
  for (const c of children) c.send({ type: "stop" });
  const out = await Promise.all(replies);
  await Promise.all(exits);
  return out;
}

// True while any job row exists. Completed jobs are deleted from
// _private_jobs, so an empty table means every job has finished. EXISTS
// stops at the first live row instead of counting all of them, which
// keeps the 50 ms poll cheap on a 2-core box.
async function anyJobsLeft(client) {
  const { rows } = await client.query(
    "select exists (select 1 from graphile_worker._private_jobs) as any",
  );
  return rows[0].any;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
  VERSION,
  options,
  quietLogger,
  resetSchema,
  startWorkers,
  waitFor,
  stopWorkers,
  anyJobsLeft,
  sleep,
};
