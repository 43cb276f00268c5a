// Steady-rate latency of graphile-worker: enqueue R jobs/s for T seconds
// while P worker processes (C concurrent jobs each) run them, and report how
// long each job waited between "about to addJob" and "task started".
//
//   node steady.js --database-url URL --rate 2000 --seconds 20 --concurrency 32 --processes 1
//
// Prints one JSON line.
"use strict";

const { performance } = require("node:perf_hooks");
const pg = require("pg");
const { makeWorkerUtils } = require("graphile-worker");
const c = require("./common");

const TICK_MS = 10;
const nowMs = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return +sorted[Math.max(0, i)].toFixed(2);
}

async function main() {
  const opts = c.options({ rate: "500", seconds: "10" });
  const rate = Number(opts.rate);
  const total = Math.round(rate * Number(opts.seconds));
  const url = opts["database-url"];

  await c.resetSchema(url);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  // One long-lived WorkerUtils (its own pg pool); quickAddJob would build
  // and tear down a pool per job.
  const utils = await makeWorkerUtils({ connectionString: url, logger: c.quietLogger });

  // Workers must be LISTENing before the first job, or the first jobs
  // would wait for a poll instead of a NOTIFY.
  const children = await c.startWorkers(opts, "steady");
  const running = children.map((child) => c.waitFor(child, "running"));
  for (const child of children) child.send({ type: "go" });
  await Promise.all(running);
  await c.sleep(500); // let the LISTEN statements land and the pools settle

  // Every tick, send however many jobs are due by now. Working from
  // elapsed time (not "R/100 per tick") keeps the rate right when timers
  // fire late. addJob calls are not awaited one by one: the producer
  // should not slow down because the database does.
  const pending = [];
  let sent = 0;
  let maxInFlight = 0;
  let inFlight = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) {
        inFlight++;
        pending.push(utils.addJob("noop", { t: nowMs() }).finally(() => inFlight--));
      }
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.all(pending);
  const enqueueSeconds = (performance.now() - start) / 1000;

  while (await c.anyJobsLeft(db)) await c.sleep(50);
  const drainedSeconds = (performance.now() - start) / 1000;

  const replies = await c.stopWorkers(children);
  await utils.release();
  await db.end();

  const latencies = replies.flatMap((r) => r.latencies).sort((a, b) => a - b);
  if (latencies.length !== total) throw new Error(`ran ${latencies.length} of ${total} jobs`);
  console.log(
    JSON.stringify({
      peer: "graphile-worker",
      version: c.VERSION,
      processes: opts.processes,
      concurrency: opts.concurrency,
      pool_size: opts.poolSize,
      local_queue: opts.localQueue,
      complete_batch_delay: opts.completeBatchDelay,
      target_rate: rate,
      jobs: total,
      achieved_rate: Math.round(total / enqueueSeconds),
      drained_seconds: +drainedSeconds.toFixed(3),
      max_add_in_flight: maxInFlight,
      p50_ms: percentile(latencies, 50),
      p90_ms: percentile(latencies, 90),
      p99_ms: percentile(latencies, 99),
      max_ms: percentile(latencies, 100),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
