//! Helpers: a standalone server on a free port, a raw WebSocket client, event readers.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use groundwork_broadcast::BroadcastSettings;
use groundwork_broadcast::protocol::ServerEvent;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A standalone server on 127.0.0.1 at a free port.
pub struct Server {
    pub url: String,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<anyhow::Result<()>>,
}

pub async fn start(settings: BroadcastSettings) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(groundwork_broadcast::server::serve(
        listener,
        settings,
        shutdown.clone(),
    ));
    Server {
        url,
        shutdown,
        task,
    }
}

/// Connects to `url` (query included), with an optional bearer token.
pub async fn try_connect(url: &str, token: Option<&str>) -> Result<Socket, WsError> {
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

pub async fn connect(url: &str) -> Socket {
    try_connect(url, None).await.expect("connect")
}

/// The HTTP status a refused handshake got.
pub async fn refused_status(url: &str, token: Option<&str>) -> u16 {
    match try_connect(url, token).await {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, got a connection"),
    }
}

/// The next server event (control frames skipped), within 5 s.
pub async fn next_event(socket: &mut Socket) -> ServerEvent {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an event within 5 s")
            .expect("the connection is open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Close(frame) => panic!("closed unexpectedly: {frame:?}"),
            _ => {}
        }
    }
}

/// The next chat line's (from, text, history).
pub async fn next_line(socket: &mut Socket) -> (String, String, bool) {
    loop {
        if let ServerEvent::Message(line) = next_event(socket).await {
            return (line.from, line.text, line.history);
        }
    }
}

/// Reads until the server closes; returns the close code (None: dropped without one).
pub async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the server closes within 5 s")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

pub async fn say(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.unwrap();
}
