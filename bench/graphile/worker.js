// One graphile-worker process, forked by burndown.js / steady.js.
// Protocol over the IPC channel: we send "ready" after loading modules, wait
// for "go", run a worker pool, send "running" once it LISTENs, and on "stop"
// shut down gracefully and send "stopped" (with latencies in steady mode).
"use strict";

const { EventEmitter } = require("node:events");
const { performance } = require("node:perf_hooks");
const { run } = require("graphile-worker");
const { quietLogger } = require("./common");

const mode = process.env.BENCH_MODE; // "burndown" | "steady"
const opts = JSON.parse(process.env.BENCH_OPTS);

// Wall-clock milliseconds with a fractional part, comparable across
// processes on the same machine (steady.js stamps payloads the same way).
const nowMs = () => performance.timeOrigin + performance.now();

// `ran` lets the parent check that every job really went through a task.
let ran = 0;
const latencies = [];
const taskList =
  mode === "steady"
    ? // Queueing latency: from just before addJob to the task starting.
      { noop: async (payload) => void (ran++, latencies.push(nowMs() - payload.t)) }
    : { noop: async () => void ran++ };

let runner = null;

process.on("message", async (msg) => {
  if (msg.type === "go") {
    // Our own emitter, so we can see the LISTEN connection come up before
    // run() hands the runner back.
    const events = new EventEmitter();
    events.once("pool:listen:success", () => process.send({ type: "running" }));
    runner = await run({
      connectionString: opts["database-url"],
      concurrency: opts.concurrency,
      maxPoolSize: opts.poolSize,
      pollInterval: 1000,
      noHandleSignals: false,
      logger: quietLogger,
      events,
      taskList,
      preset: {
        worker: {
          localQueue: { size: opts.localQueue },
          completeJobBatchDelay: opts.completeBatchDelay,
        },
      },
    });
  } else if (msg.type === "stop") {
    if (runner) await runner.stop();
    // Send and then let the IPC channel drain before exiting.
    process.send({ type: "stopped", ran, latencies }, () => process.exit(0));
  }
});

process.send({ type: "ready" });
