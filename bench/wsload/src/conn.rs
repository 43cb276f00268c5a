//! Opening many connections, reading every one of them continuously, and waiting for the
//! server to go quiet.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// One client connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Options both subcommands share.
#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// The server's WebSocket URL; `name` and `room` are appended to its query.
    #[arg(long, default_value = "ws://127.0.0.1:8090/")]
    pub url: String,
    /// Connections to open.
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,
    /// Handshakes in flight at once (more would only fill the server's accept queue).
    #[arg(long, default_value_t = 200)]
    pub connect_concurrency: usize,
    /// A handshake taking longer than this counts as failed.
    #[arg(long, default_value_t = 60)]
    pub connect_timeout_secs: u64,
    /// The room every client joins (letters, digits, `-`, `_`, `.`; not URL-encoded).
    #[arg(long, default_value = "bench")]
    pub room: String,
    /// The server's process id, whose VmRSS is sampled from /proc (same machine only).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The joins have settled once no frame arrived for this long.
    #[arg(long, default_value_t = 1000)]
    pub settle_quiet_ms: u64,
    /// Give up waiting for the joins to settle after this long ("settled": false).
    #[arg(long, default_value_t = 300)]
    pub settle_max_secs: u64,
}

/// What the connection tasks update and the coordinating task reads.
pub struct Shared {
    /// The run's clock: send stamps and arrival times are nanoseconds since this instant.
    /// Sender and receivers are in this one process, so they need no clock sync.
    base: Instant,
    /// When the latest frame of any kind arrived (nanoseconds since `base`).
    last_frame_ns: AtomicU64,
    /// Connections that ended before the run told them to stop (closed by the server,
    /// reset): a server that drops clients under load shows here.
    pub dropped: AtomicU64,
    /// Fan-out messages recorded (first copies only).
    pub delivered: AtomicU64,
    /// Fan-out messages a receiver got more than once.
    pub duplicates: AtomicU64,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            last_frame_ns: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
        }
    }
}

impl Shared {
    /// Nanoseconds since the run began.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// How the connection phase went.
pub struct Opened<T> {
    /// One task per connection: what `run` returned, or `None` if the handshake failed.
    pub tasks: Vec<JoinHandle<Option<T>>>,
    /// Handshakes that succeeded.
    pub connected: usize,
    /// Handshakes that failed or timed out.
    pub failed: usize,
    /// From the first handshake started to the last one finished.
    pub secs: f64,
}

/// `<url>?name=<name>&room=<room>` (or `&name=…` if the URL has a query already). The
/// names this tool makes up need no encoding.
pub fn client_url(url: &str, name: &str, room: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}name={name}&room={room}")
}

/// One handshake, failing after `timeout`.
pub async fn connect(url: &str, timeout: Duration) -> anyhow::Result<Socket> {
    // tungstenite allocates its read buffer eagerly, 128 KiB by default: 1.3 GB for 10,000
    // clients in this process. 4 KiB only bounds how much one read takes in.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    // Nagle off: the sender's small messages must leave at once, or their latency would
    // include the wait for the previous segment's (delayed) acknowledgement.
    let handshake = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (socket, _response) = tokio::time::timeout(timeout, handshake)
        .await
        .context("handshake timed out")?
        .context("handshake failed")?;
    Ok(socket)
}

/// Opens `--clients` connections named `<prefix><n>`, at most `--connect-concurrency`
/// handshakes at a time, and hands each socket to `run` on its own task as soon as it is
/// open. It must be read from that moment: every later connection's join is announced to
/// it, and a server whose writes to a client block ends up dropping it as a slow consumer.
/// Returns once every handshake has succeeded or failed; the tasks go on running.
pub async fn open_all<F, Fut, T>(args: &ConnectArgs, prefix: &str, run: F) -> Opened<T>
where
    F: Fn(Socket) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let timeout = Duration::from_secs(args.connect_timeout_secs);
    let (report, mut reports) = mpsc::unbounded_channel::<Result<(), String>>();
    let mut tasks = Vec::with_capacity(args.clients);
    for n in 0..args.clients {
        let url = client_url(&args.url, &format!("{prefix}{n}"), &args.room);
        let (gate, report, run) = (gate.clone(), report.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let socket = connect(&url, timeout).await;
            drop(permit);
            match socket {
                Ok(socket) => {
                    let _ = report.send(Ok(()));
                    // Two statements: the borrow of `run` must not live across the await.
                    let work = run(socket);
                    Some(work.await)
                }
                Err(error) => {
                    let _ = report.send(Err(format!("{error:#}")));
                    None
                }
            }
        }));
    }
    let (mut connected, mut failed, mut errors) = (0, 0, Vec::<String>::new());
    for _ in 0..args.clients {
        match reports.recv().await {
            Some(Ok(())) => connected += 1,
            Some(Err(error)) => {
                failed += 1;
                if errors.len() < 5 && !errors.contains(&error) {
                    errors.push(error);
                }
            }
            None => break,
        }
        let done = connected + failed;
        if done % 1000 == 0 || done == args.clients {
            eprintln!(
                "wsload: {connected} connected, {failed} failed of {}",
                args.clients
            );
        }
    }
    for error in &errors {
        eprintln!("wsload: connection error: {error}");
    }
    Opened {
        tasks,
        connected,
        failed,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Reads `socket` until `stop` changes or the connection ends, passing each text frame
/// and its arrival time (nanoseconds since the run began) to `on_text`. It never pauses
/// to do anything else: a client that stops reading makes the server's writes block,
/// which is the server's slow-consumer case, not what is measured here.
pub async fn read_until_stopped(
    mut socket: Socket,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
    mut on_text: impl FnMut(&str, u64),
) {
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => return,
            frame = socket.next() => frame,
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                let arrived = shared.now_ns();
                shared.last_frame_ns.fetch_max(arrived, Ordering::Relaxed);
                on_text(text.as_str(), arrived);
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => {
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            // tungstenite answers pings itself (the pong goes out with the next read).
            Some(Ok(_)) => {}
        }
    }
}

/// Waits until no frame arrived for `--settle-quiet-ms`: the joins announced for the
/// new connections have all been delivered, so nothing measured next queues behind them.
/// Returns whether that happened within `--settle-max-secs`.
pub async fn settle(args: &ConnectArgs, shared: &Shared) -> bool {
    eprintln!("wsload: waiting for the joins to settle");
    let quiet_ns = args.settle_quiet_ms.saturating_mul(1_000_000);
    let deadline = Instant::now() + Duration::from_secs(args.settle_max_secs);
    loop {
        let silent_ns = shared
            .now_ns()
            .saturating_sub(shared.last_frame_ns.load(Ordering::Relaxed));
        if silent_ns >= quiet_ns {
            return true;
        }
        if Instant::now() >= deadline {
            eprintln!(
                "wsload: frames still arriving after {} s; going on",
                args.settle_max_secs
            );
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
