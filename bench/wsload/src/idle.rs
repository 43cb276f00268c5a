//! `wsload idle`: many connections held open and read, for the server's memory per
//! connection.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use crate::conn::{self, ConnectArgs, Shared, Socket};
use crate::stats;

/// `wsload idle` options.
#[derive(clap::Args, Debug)]
pub struct IdleArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// How long to hold the connections once all are open and the joins have settled.
    #[arg(long, default_value_t = 10)]
    hold_secs: u64,
}

/// What `wsload idle` prints.
#[derive(Serialize)]
pub struct IdleReport {
    clients: usize,
    connected: usize,
    failed: usize,
    connect_secs: f64,
    /// Whether the joins stopped arriving before `--settle-max-secs`.
    settled: bool,
    settle_secs: f64,
    /// Connections the server closed (or that broke) before the end of the hold.
    dropped: u64,
    /// Server memory before the first connection.
    rss_before_kib: Option<u64>,
    /// Once every connection was open and the joins had settled.
    rss_connected_kib: Option<u64>,
    /// At the end of the hold: the steady state the per-connection figure comes from.
    rss_after_kib: Option<u64>,
    bytes_per_connection: Option<u64>,
}

/// Opens the connections, lets the joins settle, holds, and reports.
pub async fn run(args: IdleArgs) -> anyhow::Result<IdleReport> {
    let pid = args.connect.server_pid;
    let rss = || pid.map(stats::rss_kib).transpose();
    let rss_before = rss()?;
    let shared = Arc::new(Shared::default());
    let (stop, stopped) = watch::channel(false);
    let reader = {
        let shared = shared.clone();
        move |socket: Socket| {
            let (shared, stopped) = (shared.clone(), stopped.clone());
            // Frames are read and dropped: an idle client still has to take its joins.
            async move { conn::read_until_stopped(socket, &shared, stopped, |_, _| {}).await }
        }
    };
    let opened = conn::open_all(&args.connect, "idle", reader).await;

    let settling = Instant::now();
    let settled = conn::settle(&args.connect, &shared).await;
    let settle_secs = settling.elapsed().as_secs_f64();
    let rss_connected = rss()?;
    eprintln!(
        "wsload: holding {} connections for {} s",
        opened.connected, args.hold_secs
    );
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let rss_after = rss()?;
    let dropped = shared.dropped.load(Ordering::Relaxed);

    let _ = stop.send(true);
    for task in opened.tasks {
        let _ = task.await;
    }
    // Per connection still open at the end (a dropped one no longer costs the server).
    let open = (opened.connected as u64).saturating_sub(dropped);
    Ok(IdleReport {
        clients: args.connect.clients,
        connected: opened.connected,
        failed: opened.failed,
        connect_secs: opened.secs,
        settled,
        settle_secs,
        dropped,
        rss_before_kib: rss_before,
        rss_connected_kib: rss_connected,
        rss_after_kib: rss_after,
        bytes_per_connection: stats::bytes_per_connection(rss_before, rss_after, open),
    })
}
