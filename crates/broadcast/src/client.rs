//! `broadcast-server connect`: an interactive client. Lines typed on stdin are sent;
//! lines received are printed with their sender and local time. When the connection
//! drops (the server restarts, say) it reconnects with exponential backoff, keeping up to
//! 100 typed lines to send once back. EOF (Ctrl-D) or Ctrl-C closes the connection
//! cleanly and exits 0; a refused token or name exits 1.

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Local};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Request, header};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use uuid::Uuid;

use crate::protocol::ServerEvent;

/// Lines typed while disconnected that are kept to send later.
const MAX_PENDING: usize = 100;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Where and as whom to connect.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `ws://host:port[/path]`.
    pub url: String,
    /// Display name.
    pub name: String,
    /// Room, if not the server's default.
    pub room: Option<String>,
    /// The server's token, if it needs one.
    pub token: Option<String>,
}

/// How one connection ended.
enum Ended {
    /// EOF on stdin or Ctrl-C: the user is done.
    UserQuit,
    /// The connection dropped or the server closed it.
    Lost(String),
}

/// Runs the client until the user quits. Output goes to `out` (stdout in the CLI).
pub async fn run<W: AsyncWrite + Unpin>(options: ClientOptions, out: &mut W) -> anyhow::Result<()> {
    let request = handshake_request(&options)?;
    let (lines_tx, mut lines) = mpsc::channel::<String>(MAX_PENDING);
    tokio::spawn(read_stdin(lines_tx));
    let mut pending = VecDeque::new();
    let mut printer = Printer::default();
    let mut backoff = FIRST_BACKOFF;
    loop {
        match tokio_tungstenite::connect_async(request.clone()).await {
            Ok((socket, _)) => {
                backoff = FIRST_BACKOFF;
                status(
                    out,
                    &format!("connected to {} as {}", options.url, options.name),
                )
                .await;
                match converse(socket, &mut lines, &mut pending, &mut printer, out).await? {
                    Ended::UserQuit => return Ok(()),
                    Ended::Lost(why) => status(out, &format!("{why}; reconnecting")).await,
                }
            }
            Err(WsError::Http(response)) if response.status().is_client_error() => {
                let body = response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                bail!(
                    "the server refused the connection ({}): {body}",
                    response.status()
                );
            }
            Err(error) => {
                let wait = jittered(backoff);
                status(
                    out,
                    &format!(
                        "cannot connect ({error}); retrying in {:.1} s",
                        wait.as_secs_f64()
                    ),
                )
                .await;
                if wait_or_quit(wait, &mut lines, &mut pending).await {
                    return Ok(());
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        }
        if wait_or_quit(jittered(backoff), &mut lines, &mut pending).await {
            return Ok(());
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

fn handshake_request(options: &ClientOptions) -> anyhow::Result<Request<()>> {
    let mut url = url::Url::parse(&options.url)
        .with_context(|| format!("invalid --url {:?}", options.url))?;
    match url.scheme() {
        "ws" => {}
        "wss" => bail!(
            "wss:// is not supported; put the server behind a TLS proxy and connect to it with ws:// on a trusted network"
        ),
        other => bail!("--url must start with ws://, not {other}://"),
    }
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &options.name);
        if let Some(room) = &options.room {
            query.append_pair("room", room);
        }
    }
    let mut request = url.as_str().into_client_request()?;
    if let Some(token) = &options.token {
        let value = HeaderValue::from_str(&format!("Bearer {token}"))
            .context("the token must be printable ASCII")?;
        request.headers_mut().insert(header::AUTHORIZATION, value);
    }
    Ok(request)
}

/// Talks over one connection until it drops or the user quits.
async fn converse<S, W>(
    mut socket: S,
    lines: &mut mpsc::Receiver<String>,
    pending: &mut VecDeque<String>,
    printer: &mut Printer,
    out: &mut W,
) -> anyhow::Result<Ended>
where
    S: futures_util::Stream<Item = Result<Message, WsError>>
        + futures_util::Sink<Message, Error = WsError>
        + Unpin,
    W: AsyncWrite + Unpin,
{
    while let Some(line) = pending.pop_front() {
        if socket.send(Message::text(line.clone())).await.is_err() {
            pending.push_front(line);
            return Ok(Ended::Lost("connection lost".into()));
        }
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                close(&mut socket).await;
                return Ok(Ended::UserQuit);
            }
            line = lines.recv() => match line {
                Some(line) => {
                    if socket.send(Message::text(line.clone())).await.is_err() {
                        pending.push_back(line);
                        return Ok(Ended::Lost("connection lost".into()));
                    }
                }
                None => {
                    close(&mut socket).await;
                    return Ok(Ended::UserQuit);
                }
            },
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => printer.print(text.as_str(), out).await?,
                Some(Ok(Message::Close(frame))) => return Ok(Ended::Lost(describe_close(frame.as_ref()))),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Ok(Ended::Lost(format!("connection lost ({error})"))),
                None => return Ok(Ended::Lost("connection lost".into())),
            },
        }
    }
}

async fn close<S>(socket: &mut S)
where
    S: futures_util::Sink<Message, Error = WsError>
        + futures_util::Stream<Item = Result<Message, WsError>>
        + Unpin,
{
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = socket.send(Message::Close(Some(frame))).await;
        // Wait for the server's close frame so the connection ends cleanly on both sides.
        while let Some(Ok(message)) = socket.next().await {
            if message.is_close() {
                break;
            }
        }
    })
    .await;
}

fn describe_close(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(frame) if frame.code == CloseCode::Away => "the server is going away".into(),
        Some(frame) if !frame.reason.is_empty() => {
            format!(
                "the server closed the connection ({}: {})",
                u16::from(frame.code),
                frame.reason
            )
        }
        Some(frame) => format!(
            "the server closed the connection ({})",
            u16::from(frame.code)
        ),
        None => "the server closed the connection".into(),
    }
}

/// Waits before reconnecting, keeping typed lines; `true` when the user quit meanwhile.
async fn wait_or_quit(
    wait: Duration,
    lines: &mut mpsc::Receiver<String>,
    pending: &mut VecDeque<String>,
) -> bool {
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            () = &mut deadline => return false,
            _ = tokio::signal::ctrl_c() => return true,
            line = lines.recv() => match line {
                Some(line) => {
                    if pending.len() == MAX_PENDING {
                        pending.pop_front();
                    }
                    pending.push_back(line);
                }
                None => return true,
            },
        }
    }
}

/// Up to 25% less than `base`, so that clients dropped together do not return together.
fn jittered(base: Duration) -> Duration {
    let nanos = u64::try_from(base.as_nanos()).unwrap_or(u64::MAX);
    let random = u64::from(Uuid::new_v4().as_u128() as u16);
    base - Duration::from_nanos(nanos / 4 * random / u64::from(u16::MAX))
}

async fn read_stdin(lines: mpsc::Sender<String>) {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = stdin.next_line().await {
        if lines.send(line).await.is_err() {
            return;
        }
    }
}

async fn status<W: AsyncWrite + Unpin>(out: &mut W, text: &str) {
    let _ = out.write_all(format!("-- {text}\n").as_bytes()).await;
    let _ = out.flush().await;
}

/// Formats events; remembers the newest line shown so a reconnect's history replay does
/// not print lines twice.
#[derive(Default)]
struct Printer {
    newest_shown: Option<Uuid>,
}

impl Printer {
    async fn print<W: AsyncWrite + Unpin>(
        &mut self,
        text: &str,
        out: &mut W,
    ) -> std::io::Result<()> {
        let rendered = match serde_json::from_str::<ServerEvent>(text) {
            Ok(ServerEvent::Message(line)) => {
                if line.history && self.newest_shown.is_some_and(|newest| line.id <= newest) {
                    return Ok(());
                }
                self.newest_shown = Some(line.id);
                let marker = if line.history { " (earlier)" } else { "" };
                format!(
                    "[{}] {}{marker}: {}",
                    local_time(&line.at),
                    line.from,
                    line.text
                )
            }
            Ok(ServerEvent::Join(who)) => format!(
                "[{}] * {} joined {}",
                local_time(&who.at),
                who.from,
                who.room
            ),
            Ok(ServerEvent::Leave(who)) => {
                format!("[{}] * {} left {}", local_time(&who.at), who.from, who.room)
            }
            Ok(ServerEvent::Notice { text }) => format!("-- {text}"),
            Err(_) => text.to_owned(),
        };
        out.write_all(rendered.as_bytes()).await?;
        out.write_all(b"\n").await?;
        out.flush().await
    }
}

fn local_time(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Local).format("%H:%M:%S").to_string())
        .unwrap_or_else(|_| at.to_owned())
}
