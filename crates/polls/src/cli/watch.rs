//! `groundwork polls watch`: connect to `/polls/{id}/live` and redraw on every message.
//! No polling: the server pushes tallies as votes arrive. The connection is re-opened
//! with backoff if it drops, until the poll closes.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::bail;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::chart::{self, Status};
use super::{WatchArgs, base_url};
use crate::api::response::{LiveMessage, PollResponse};

/// What the connection task reports.
enum Update {
    Poll(Box<PollResponse>),
    Note(String),
    Fatal(String),
}

/// Runs `watch` until the poll closes (plain mode) or the user quits (full screen).
pub async fn watch(args: &WatchArgs) -> anyhow::Result<()> {
    let base = base_url(&args.server.server)?;
    let Some(rest) = base.strip_prefix("http://") else {
        bail!("watch needs an http:// server (wss:// is not supported by this client)");
    };
    let url = format!("ws://{rest}/polls/{}/live", args.poll);
    let (updates, receiver) = mpsc::channel(16);
    tokio::spawn(follow(url, updates));
    if args.plain || !std::io::stdout().is_terminal() {
        plain(receiver).await
    } else {
        full_screen(receiver).await
    }
}

/// One line per update on stdout; notes on stderr. Returns when the poll closes.
async fn plain(mut updates: mpsc::Receiver<Update>) -> anyhow::Result<()> {
    while let Some(update) = updates.recv().await {
        match update {
            Update::Poll(poll) => {
                println!("{}", chart::one_line(&poll));
                if !poll.open {
                    return Ok(());
                }
            }
            Update::Note(note) => eprintln!("-- {note}"),
            Update::Fatal(message) => bail!(message),
        }
    }
    Ok(())
}

/// The ratatui chart, redrawn on every update and resize; `q`, Esc or Ctrl-C quits.
async fn full_screen(mut updates: mpsc::Receiver<Update>) -> anyhow::Result<()> {
    let (keys_tx, mut keys) = mpsc::channel(16);
    std::thread::spawn(move || read_keys(&keys_tx));
    let mut terminal = ratatui::init();
    let mut poll: Option<PollResponse> = None;
    let mut note = String::from("connecting…");
    let result = loop {
        if let Err(error) =
            terminal.draw(|frame| chart::draw(frame, poll.as_ref(), &Status { note: &note }))
        {
            break Err(error.into());
        }
        tokio::select! {
            update = updates.recv() => match update {
                Some(Update::Poll(latest)) => {
                    note = format!("updated {}", chrono::Local::now().format("%H:%M:%S"));
                    poll = Some(*latest);
                }
                Some(Update::Note(text)) => note = text,
                Some(Update::Fatal(message)) => break Err(anyhow::anyhow!(message)),
                None => note = "the poll is closed".into(),
            },
            key = keys.recv() => match key {
                Some(KeyInput::Quit) | None => break Ok(()),
                Some(KeyInput::Redraw) => {}
            },
        }
    };
    ratatui::restore();
    result
}

enum KeyInput {
    Quit,
    Redraw,
}

/// Reads the keyboard on its own thread (crossterm's reads block).
fn read_keys(keys: &mpsc::Sender<KeyInput>) {
    loop {
        if keys.is_closed() {
            return;
        }
        if !event::poll(Duration::from_millis(200)).unwrap_or(false) {
            continue;
        }
        let input = match event::read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Char('q') | KeyCode::Esc => KeyInput::Quit,
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    KeyInput::Quit
                }
                _ => continue,
            },
            Ok(Event::Resize(..)) => KeyInput::Redraw,
            Ok(_) => continue,
            Err(_) => KeyInput::Quit,
        };
        if keys.blocking_send(input).is_err() {
            return;
        }
    }
}

/// Connects, forwards every message, reconnects with backoff; stops after the final
/// tallies, or on a refusal (no such poll).
async fn follow(url: String, updates: mpsc::Sender<Update>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((mut socket, _)) => {
                backoff = Duration::from_millis(250);
                let _ = updates.send(Update::Note("live".into())).await;
                while let Some(message) = socket.next().await {
                    let Ok(Message::Text(text)) = message else {
                        continue;
                    };
                    match serde_json::from_str::<LiveMessage>(text.as_str()) {
                        Ok(LiveMessage::Tally { poll }) => {
                            let _ = updates.send(Update::Poll(Box::new(poll))).await;
                        }
                        Ok(LiveMessage::Closed { poll }) => {
                            let _ = updates.send(Update::Poll(Box::new(poll))).await;
                            return;
                        }
                        Err(_) => {}
                    }
                }
                let _ = updates
                    .send(Update::Note("connection lost; reconnecting".into()))
                    .await;
            }
            Err(WsError::Http(response)) if response.status().is_client_error() => {
                let message = match response.status().as_u16() {
                    404 => "no such poll".to_owned(),
                    status => format!("the server refused the connection ({status})"),
                };
                let _ = updates.send(Update::Fatal(message)).await;
                return;
            }
            Err(error) => {
                let note = format!(
                    "cannot connect ({error}); retrying in {} ms",
                    backoff.as_millis()
                );
                if updates.send(Update::Note(note)).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
        if updates.is_closed() {
            return;
        }
    }
}
