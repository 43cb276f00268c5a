//! The command line, shared by the `caching-proxy` binary and `groundwork proxy`:
//! `--port <n> --origin <url>` serves, `--clear-cache` empties the cache of a proxy
//! (running or not) from a separate invocation.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::handler::Proxy;
use crate::origin::Upstream;
use crate::store::{Store, disk};
use crate::target::Origin;

/// Caching proxy: forwards requests to an origin server and caches its responses (RFC
/// 9111), in memory and on disk. Responses carry `X-Cache: HIT` or `X-Cache: MISS`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caching-proxy --port 3000 --origin http://dummyjson.com\n  caching-proxy --clear-cache"
)]
pub struct ProxyArgs {
    /// Port to listen on.
    #[arg(long, required_unless_present = "clear_cache")]
    pub port: Option<u16>,
    /// The server requests are forwarded to (http or https URL, optionally with a path prefix).
    #[arg(long, required_unless_present = "clear_cache")]
    pub origin: Option<String>,
    /// Empty the cache (in --cache-dir) and exit; a proxy serving from it drops its copies too.
    #[arg(long, conflicts_with_all = ["port", "origin"])]
    pub clear_cache: bool,
    /// Where the cache lives [default: $XDG_CACHE_HOME/caching-proxy or ~/.cache/caching-proxy].
    #[arg(long, env = "CACHING_PROXY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Most bytes kept, in memory and again on disk (suffixes K, M, G: powers of 1024).
    #[arg(long, default_value = "256M", value_parser = parse_size)]
    pub max_size: u64,
    /// Largest response stored; larger ones pass through [default: max-size / 8, at most 64M].
    #[arg(long, value_parser = parse_size)]
    pub max_object_size: Option<u64>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Seconds a response with no freshness information (no Cache-Control max-age,
    /// Expires or Last-Modified) stays fresh [default: not cached as fresh].
    #[arg(long)]
    pub default_ttl: Option<u64>,
    /// Seconds to wait for the origin (connect, response head, each read of the body)
    /// before answering 504.
    #[arg(long, default_value_t = 30)]
    pub origin_timeout: u64,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

/// Log formats.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Runs the command to completion: exit code 0, or 1 with the error on stderr.
pub fn main(args: ProxyArgs) -> ExitCode {
    init_logging(args.log_format);
    // rustls needs one process-wide crypto provider for https origins.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The command itself.
pub async fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let cache_dir = args.cache_dir.clone().unwrap_or_else(default_cache_dir);
    if args.clear_cache {
        let dir = cache_dir.clone();
        let cleared = tokio::task::spawn_blocking(move || disk::clear(&dir))
            .await?
            .with_context(|| format!("cannot clear the cache in {}", cache_dir.display()))?;
        println!(
            "cleared {} cached responses ({} bytes) from {}",
            cleared.files,
            cleared.bytes,
            cache_dir.display()
        );
        return Ok(());
    }
    let (Some(port), Some(origin)) = (args.port, args.origin.as_deref()) else {
        anyhow::bail!("--port and --origin are required (or --clear-cache)");
    };
    let origin = Origin::parse(origin).map_err(anyhow::Error::msg)?;
    let timeout = Duration::from_secs(args.origin_timeout.max(1));
    check_reachable(&origin, timeout).await?;
    let max_object_size = args
        .max_object_size
        .unwrap_or((args.max_size / 8).min(64 << 20));
    let default_ttl = args.default_ttl.map(Duration::from_secs);
    let (dir, max_size) = (cache_dir.clone(), args.max_size);
    let store = tokio::task::spawn_blocking(move || Store::on_disk(&dir, max_size, default_ttl))
        .await?
        .with_context(|| format!("cannot open the cache in {}", cache_dir.display()))?;
    // Listen only once the cache is open: an open port means a proxy that serves, not one
    // that may still fail on its cache directory and exit.
    let address = SocketAddr::new(args.bind, port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let store = Arc::new(store);
    store.watch_generation();
    let (memory, on_disk) = store.usage();
    tracing::info!(
        listen = %format!("http://{address}"),
        %origin,
        cache_dir = %cache_dir.display(),
        max_size = args.max_size,
        max_object_size,
        warm_bytes_on_disk = on_disk,
        memory,
        "caching-proxy ready"
    );
    let upstream = Upstream::new(origin, timeout)?;
    let proxy = Arc::new(Proxy::new(
        upstream,
        store,
        usize::try_from(max_object_size).unwrap_or(usize::MAX),
    ));
    crate::server::serve(listener, proxy, stop_signal()).await;
    tracing::info!("caching-proxy stopped");
    Ok(())
}

/// The origin must answer a TCP connection at start: a typo in `--origin` is caught now,
/// not on the first request.
async fn check_reachable(origin: &Origin, timeout: Duration) -> anyhow::Result<()> {
    let address = origin.socket_address();
    match tokio::time::timeout(
        timeout.min(Duration::from_secs(10)),
        tokio::net::TcpStream::connect(&address),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => anyhow::bail!("cannot reach the origin {origin} ({address}): {error}"),
        Err(_) => anyhow::bail!("cannot reach the origin {origin} ({address}): no answer"),
    }
}

fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")));
    base.unwrap_or_else(|| PathBuf::from("."))
        .join("caching-proxy")
}

/// `123`, `64K`, `256M`, `2G` (powers of 1024; a trailing `B` or `iB` is allowed).
fn parse_size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let number = lower.trim_end_matches("ib").trim_end_matches('b');
    let (digits, shift) = match number.chars().last() {
        Some('k') => (&number[..number.len() - 1], 10),
        Some('m') => (&number[..number.len() - 1], 20),
        Some('g') => (&number[..number.len() - 1], 30),
        _ => (number, 0),
    };
    let value: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size (examples: 1048576, 512K, 256M, 2G)"))?;
    value
        .checked_mul(1 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
