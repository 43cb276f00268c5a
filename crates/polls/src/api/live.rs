//! `GET /polls/{id}/live`: the WebSocket of live tallies.

use axum::extract::State;
use axum::extract::ws::{
    Message, Utf8Bytes, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;
use groundwork_platform::ApiError;
use groundwork_platform::error::Problem;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::Path;
use groundwork_platform::ws::{Close, ListenOnly, Outgoing, Session, close_code, not_a_handshake};

use super::handlers::poll_id;
use crate::live::Snapshot;
use crate::service::Polls;

/// Live tallies over WebSocket: on connect `{"type":"tally","poll":{...}}` with the
/// current tallies, then one whenever votes change (at most 10 a second), and
/// `{"type":"closed","poll":{...}}` with the final tallies when the poll closes, after
/// which the server closes the socket (1000). Clients only listen; what they send is
/// ignored (binary, floods and oversized messages close the socket).
///
/// `groundwork polls watch 0193…`
#[utoipa::path(
    get,
    path = "/{id}/live",
    params(("id" = Uuid, Path, description = "Poll id")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 403, description = "The page's origin is not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll", body = Problem, content_type = "application/problem+json"),
        (status = 426, description = "Not a WebSocket handshake", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many connections from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn live_poll(
    State(polls): State<Polls>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let id = poll_id(&id)?;
    // 404 before upgrading, so a typo gets an HTTP answer.
    polls.get(id, None).await?;
    let upgrade = upgrade.map_err(|rejection| not_a_handshake(&rejection))?;
    let live = polls.live.clone();
    let permit = live.admission.admit(&headers, ip)?;
    Ok(live
        .session
        .configure(upgrade)
        .on_upgrade(move |socket| async move {
            let _permit = permit;
            let watcher = live.watch(id);
            let updates = watcher.subscribe();
            let feed = futures_util::stream::unfold(updates, |mut updates| async move {
                updates.changed().await.ok()?;
                let snapshot = updates.borrow_and_update().clone();
                Some((snapshot, updates))
            })
            .filter_map(std::future::ready)
            .flat_map(|snapshot: Snapshot| {
                let message =
                    Outgoing::Message(Message::Text(Utf8Bytes::from(snapshot.json.to_string())));
                let close = snapshot
                    .closed
                    .then(|| Outgoing::Close(Close::new(close_code::NORMAL, "poll closed")));
                futures_util::stream::iter(std::iter::once(message).chain(close))
            });
            let session = Session::new(live.session.clone(), live.shutdown.clone());
            session.run(socket, Box::pin(feed), ListenOnly).await;
            drop(watcher);
        }))
}
