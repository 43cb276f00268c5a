// Burn-down throughput of graphile-worker: queue N no-op jobs, then time how
// long P worker processes (C concurrent jobs each) take to empty the queue.
//
//   node burndown.js --database-url URL --jobs 100000 --concurrency 32 --processes 1
//
// Prints one JSON line. Only the burn-down is timed, not the inserts.
"use strict";

const pg = require("pg");
const c = require("./common");

const BATCH = 10_000;

async function main() {
  const opts = c.options({ jobs: "100000" });
  const jobs = Number(opts.jobs);
  const url = opts["database-url"];

  await c.resetSchema(url);
  const db = new pg.Client({ connectionString: url });
  await db.connect();

  // Bulk insert through graphile's own SQL API, add_jobs(job_spec[]), with
  // the spec array built server-side so 10k jobs are one round trip.
  // count(*) keeps add_jobs' returned rows from crossing the wire.
  const insertStart = performance.now();
  for (let done = 0; done < jobs; done += BATCH) {
    await db.query(
      `select count(*) from graphile_worker.add_jobs(array(
         select row('noop', '{}', null, null, null, null, null, null)::graphile_worker.job_spec
         from generate_series(1, $1)))`,
      [Math.min(BATCH, jobs - done)],
    );
  }
  const insertSeconds = (performance.now() - insertStart) / 1000;
  // Fresh planner statistics, so the claim query's plan doesn't depend on
  // whether autovacuum happened to analyze the new rows yet.
  await db.query("vacuum analyze graphile_worker._private_jobs");

  // Children load their modules before the clock starts; run() itself
  // (pool connect, migration check, LISTEN) is inside the timed window.
  const children = await c.startWorkers(opts, "burndown");
  const start = performance.now();
  for (const child of children) child.send({ type: "go" });
  while (await c.anyJobsLeft(db)) await c.sleep(50);
  const seconds = (performance.now() - start) / 1000;

  const replies = await c.stopWorkers(children);
  await db.end();
  const ran = replies.reduce((n, r) => n + r.ran, 0);
  if (ran !== jobs) throw new Error(`ran ${ran} tasks for ${jobs} jobs`);

  console.log(
    JSON.stringify({
      peer: "graphile-worker",
      version: c.VERSION,
      jobs,
      processes: opts.processes,
      concurrency: opts.concurrency,
      pool_size: opts.poolSize,
      local_queue: opts.localQueue,
      complete_batch_delay: opts.completeBatchDelay,
      insert_seconds: +insertSeconds.toFixed(3),
      seconds: +seconds.toFixed(3),
      jobs_per_sec: Math.round(jobs / seconds),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
