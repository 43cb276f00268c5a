//! `wsload fanout`: one sender, many receivers in one room; each receiver measures how long
//! every message took to reach it.
//!
//! A message's text is `wsload:<seq>:<sent>`, `sent` being nanoseconds since the run
//! began on the clock every task of this process shares ([`Shared::now_ns`]), so latency
//! is simply arrival minus `sent`. Each receiver keeps one slot per message (microseconds,
//! [`MISSING`] until it arrives): no locks while measuring, duplicates detected for free,
//! merged once at the end.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::conn::{self, ConnectArgs, Shared, Socket};
use crate::stats::{self, percentile_ms};

/// What the sender's texts start with.
const PREFIX: &str = "wsload:";
/// The same, as it appears in the server's JSON: frames without it (joins, notices, most
/// of the traffic while clients connect) are skipped without being parsed.
const PREFIX_IN_JSON: &str = "\"text\":\"wsload:";
/// A message slot not filled (yet).
const MISSING: u32 = u32::MAX;

/// `wsload fanout` options.
#[derive(clap::Args, Debug)]
pub struct FanoutArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Messages the sender sends.
    #[arg(long, default_value_t = 20)]
    messages: usize,
    /// Time between two messages (0: all at once).
    #[arg(long, default_value_t = 500)]
    interval_ms: u64,
    /// After the last message, how long to wait for deliveries still missing.
    #[arg(long, default_value_t = 10)]
    drain_secs: u64,
}

/// What `wsload fanout` prints. Latencies run from just before the sender's write to the
/// receiver's read of the frame.
#[derive(Serialize)]
pub struct FanoutReport {
    clients: usize,
    connected: usize,
    failed: usize,
    connect_secs: f64,
    /// Whether the joins stopped arriving before `--settle-max-secs`.
    settled: bool,
    settle_secs: f64,
    messages: usize,
    /// `clients × messages`: a failed connection counts as missed deliveries.
    expected_deliveries: u64,
    delivered: u64,
    missing: u64,
    duplicates: u64,
    /// Receivers the server closed (or that broke) during the run.
    dropped: u64,
    p50_ms: Option<f64>,
    p90_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_ms: Option<f64>,
    /// Per message, the time until the last receiver had it: median and worst.
    fanout_p50_ms: Option<f64>,
    fanout_max_ms: Option<f64>,
    /// Deliveries over the time from the first send to the last delivery. With an interval
    /// longer than one fan-out, this is mostly the interval.
    deliveries_per_sec: Option<f64>,
    /// Deliveries over the time during which some message was still on its way: the rate
    /// at which the server delivers while it is busy fanning out.
    busy_deliveries_per_sec: Option<f64>,
    rss_before_kib: Option<u64>,
    rss_after_kib: Option<u64>,
    /// The server's CPU time (user and system) from just before the first send to the
    /// last delivery (or the end of the drain time).
    server_cpu_secs: Option<f64>,
    /// The same per delivery, in microseconds: what one delivery costs the server.
    server_cpu_us_per_delivery: Option<f64>,
}

/// The two fields of a server frame this needs.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    text: &'a str,
}

/// Notes one frame's arrival in the receiver's slots, if it is one of the sender's.
fn record(slots: &mut [u32], text: &str, arrived_ns: u64, shared: &Shared) {
    if !text.contains(PREFIX_IN_JSON) {
        return;
    }
    let Ok(frame) = serde_json::from_str::<Frame<'_>>(text) else {
        return;
    };
    let stamp = frame
        .text
        .strip_prefix(PREFIX)
        .and_then(|s| s.split_once(':'));
    let Some((seq, sent_ns)) = stamp else {
        return;
    };
    let (Ok(seq), Ok(sent_ns)) = (seq.parse::<usize>(), sent_ns.parse::<u64>()) else {
        return;
    };
    let Some(slot) = slots.get_mut(seq).filter(|_| frame.kind == "message") else {
        return;
    };
    if *slot != MISSING {
        shared.duplicates.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let micros = arrived_ns.saturating_sub(sent_ns) / 1000;
    *slot = u32::try_from(micros).unwrap_or(MISSING - 1);
    shared.delivered.fetch_add(1, Ordering::Relaxed);
}

/// Opens the receivers, lets the joins settle, sends, waits for the deliveries, reports.
pub async fn run(args: FanoutArgs) -> anyhow::Result<FanoutReport> {
    let pid = args.connect.server_pid;
    let rss = || pid.map(stats::rss_kib).transpose();
    let rss_before = rss()?;
    let messages = args.messages;
    let shared = Arc::new(Shared::default());
    let (stop, stopped) = watch::channel(false);
    let reader = {
        let shared = shared.clone();
        move |socket: Socket| {
            let (shared, stopped) = (shared.clone(), stopped.clone());
            async move {
                let mut slots = vec![MISSING; messages];
                conn::read_until_stopped(socket, &shared, stopped, |text, arrived| {
                    record(&mut slots, text, arrived, &shared);
                })
                .await;
                slots
            }
        }
    };
    let opened = conn::open_all(&args.connect, "r", reader).await;

    // The sender is in the room too: it gets every join and its own messages, and reads
    // (and drops) them on its own task, or the server's writes to it would block.
    let url = conn::client_url(&args.connect.url, "wsload-sender", &args.connect.room);
    let timeout = Duration::from_secs(args.connect.connect_timeout_secs);
    let (mut outgoing, incoming) = conn::connect(&url, timeout)
        .await
        .context("the sender cannot connect")?
        .split::<Message>();
    let sender_reads = tokio::spawn(incoming.for_each(|_| std::future::ready(())));

    let settling = Instant::now();
    let settled = conn::settle(&args.connect, &shared).await;
    let settle_secs = settling.elapsed().as_secs_f64();

    eprintln!(
        "wsload: sending {messages} messages, {} ms apart",
        args.interval_ms
    );
    let interval = Duration::from_millis(args.interval_ms);
    let mut sent_ns = Vec::with_capacity(messages);
    let cpu = || pid.map(stats::cpu_secs).transpose();
    let cpu_before = cpu()?;
    let mut next = tokio::time::Instant::now();
    for seq in 0..messages {
        tokio::time::sleep_until(next).await;
        next += interval;
        let stamp = shared.now_ns();
        sent_ns.push(stamp);
        outgoing
            .send(Message::text(format!("{PREFIX}{seq}:{stamp}")))
            .await
            .context("the sender's connection failed")?;
    }

    // Every open receiver has every message, or the drain time is up.
    let reachable = (opened.connected * messages) as u64;
    let deadline = Instant::now() + Duration::from_secs(args.drain_secs);
    while shared.delivered.load(Ordering::Relaxed) < reachable && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cpu_after = cpu()?;
    let rss_after = rss()?;
    let _ = stop.send(true);
    let mut receivers = Vec::with_capacity(opened.connected);
    for task in opened.tasks {
        if let Ok(Some(slots)) = task.await {
            receivers.push(slots);
        }
    }
    sender_reads.abort();

    // Merge: every latency, and per message the latest arrival (its fan-out time).
    let mut latencies = Vec::new();
    let mut fanout_us: Vec<Option<u32>> = vec![None; messages];
    for slots in &receivers {
        for (worst, &us) in fanout_us
            .iter_mut()
            .zip(slots)
            .filter(|(_, us)| **us != MISSING)
        {
            latencies.push(us);
            *worst = Some(worst.map_or(us, |w| w.max(us)));
        }
    }
    latencies.sort_unstable();
    let delivered = latencies.len() as u64;
    let expected = (args.connect.clients * messages) as u64;
    // Each message is "in flight" from its send to its last delivery.
    let mut spans: Vec<(u64, u64)> = sent_ns
        .iter()
        .zip(&fanout_us)
        .filter_map(|(&sent, us)| us.map(|us| (sent, sent + u64::from(us) * 1000)))
        .collect();
    let first_to_last = match (sent_ns.first(), spans.iter().map(|s| s.1).max()) {
        (Some(&first), Some(last)) => last.saturating_sub(first) as f64 / 1e9,
        _ => 0.0,
    };
    let busy = stats::union_secs(&mut spans);
    let server_cpu_secs = cpu_before.zip(cpu_after).map(|(b, a)| a - b);
    let mut fanouts: Vec<u32> = fanout_us.into_iter().flatten().collect();
    fanouts.sort_unstable();

    Ok(FanoutReport {
        clients: args.connect.clients,
        connected: opened.connected,
        failed: opened.failed,
        connect_secs: opened.secs,
        settled,
        settle_secs,
        messages,
        expected_deliveries: expected,
        delivered,
        missing: expected.saturating_sub(delivered),
        duplicates: shared.duplicates.load(Ordering::Relaxed),
        dropped: shared.dropped.load(Ordering::Relaxed),
        p50_ms: percentile_ms(&latencies, 50.0),
        p90_ms: percentile_ms(&latencies, 90.0),
        p99_ms: percentile_ms(&latencies, 99.0),
        max_ms: latencies.last().map(|&us| stats::ms(us)),
        fanout_p50_ms: percentile_ms(&fanouts, 50.0),
        fanout_max_ms: fanouts.last().map(|&us| stats::ms(us)),
        deliveries_per_sec: stats::rate(delivered, first_to_last),
        busy_deliveries_per_sec: stats::rate(delivered, busy),
        rss_before_kib: rss_before,
        rss_after_kib: rss_after,
        server_cpu_secs,
        server_cpu_us_per_delivery: server_cpu_secs
            .filter(|_| delivered > 0)
            .map(|secs| secs * 1e6 / delivered as f64),
    })
}
