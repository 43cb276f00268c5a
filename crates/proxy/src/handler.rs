//! What the proxy does with a request: GET and HEAD go through the cache (RFC 9111 §4),
//! everything else passes through to the origin untouched, and unsafe methods invalidate
//! what they may have changed (§4.4).

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{
    CONTENT_LOCATION, DATE, HOST, IF_MODIFIED_SINCE, IF_NONE_MATCH, LOCATION, RANGE, VIA,
};
use http::{HeaderMap, Method, Request, Response, StatusCode, Version};
use http_body::Body;
use http_body_util::BodyExt;

use crate::body::{BoxError, ProxyBody, Streamed, Tee};
use crate::directives::Directives;
use crate::entry::{self, Entry, Parts};
use crate::inflight::{self, Inflight, Turn};
use crate::origin::{Upstream, VIA_ENTRY};
use crate::respond::{self, Outcome};
use crate::reuse::{self, Reuse};
use crate::storable::{self, Verdict};
use crate::store::Store;
use crate::surrogate::{SURROGATE_CONTROL, Surrogate};
use crate::target;
use crate::vary::Selecting;

/// The caching proxy: an origin, a store, and the fetches in flight.
pub struct Proxy {
    upstream: Upstream,
    store: Arc<Store>,
    inflight: Arc<Inflight>,
    max_object_size: usize,
}

/// A GET or HEAD, as much of it as the cache logic needs (cloneable, for refreshes in the
/// background).
#[derive(Clone)]
struct Asked {
    method: Method,
    headers: HeaderMap,
    key: String,
    directives: Directives,
}

impl Proxy {
    /// A proxy to `upstream` caching in `store`; responses larger than `max_object_size`
    /// are passed through but not stored.
    pub fn new(upstream: Upstream, store: Arc<Store>, max_object_size: usize) -> Self {
        Self {
            upstream,
            store,
            inflight: Arc::default(),
            max_object_size,
        }
    }

    /// Answers one request.
    pub async fn handle<B>(self: &Arc<Self>, request: Request<B>) -> Response<ProxyBody>
    where
        B: Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        if parts.method == Method::CONNECT {
            return respond::plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "CONNECT is not supported: this is a reverse proxy for one origin",
            );
        }
        let key = match target::resolve(&parts.uri, self.upstream.origin()) {
            Ok(key) => key,
            Err(refusal @ target::Refusal::OtherHost(_)) => {
                return respond::plain(StatusCode::FORBIDDEN, refusal);
            }
            Err(refusal) => return respond::plain(StatusCode::BAD_REQUEST, refusal),
        };
        if parts.method == Method::GET || parts.method == Method::HEAD {
            let asked = Asked {
                directives: Directives::from_headers(&parts.headers),
                method: parts.method,
                headers: parts.headers,
                key,
            };
            return self.through_cache(asked).await;
        }
        self.pass_through(parts.method, parts.headers, key, reqwest::Body::wrap(body))
            .await
    }

    /// GET and HEAD: from the cache when it may (§4.2), else revalidated or fetched.
    async fn through_cache(self: &Arc<Self>, asked: Asked) -> Response<ProxyBody> {
        if let Some(entry) = self.lookup(&asked).await {
            let age = entry.age(SystemTime::now());
            match reuse::decide(&entry.policy, age, &asked.directives) {
                Reuse::Fresh => return self.serve(&asked, &entry, age, Outcome::Hit),
                Reuse::StaleAccepted => return self.serve(&asked, &entry, age, Outcome::Stale),
                Reuse::StaleWhileRevalidate => {
                    self.refresh_in_background(&asked, &entry);
                    return self.serve(&asked, &entry, age, Outcome::Stale);
                }
                Reuse::Revalidate => return self.revalidate(asked, entry).await,
            }
        }
        if asked.directives.only_if_cached {
            // §5.2.1.7: "respond either using a stored response or a 504".
            return respond::plain(
                StatusCode::GATEWAY_TIMEOUT,
                "only-if-cached, and it is not in the cache",
            );
        }
        if asked.method == Method::HEAD || asked.headers.contains_key(RANGE) {
            // Neither fills the cache (we store whole GET responses only): straight through.
            return self.fetch(asked, None).await;
        }
        match self.inflight.join(&asked.key) {
            Turn::Lead(leader) => self.fetch(asked, Some(leader)).await,
            Turn::Wait(waiting) => {
                // Coalesced: wait for the leader (bounded), then look again.
                let _ =
                    tokio::time::timeout(self.upstream.timeout(), inflight::wait(waiting)).await;
                if let Some(entry) = self.lookup(&asked).await {
                    let age = entry.age(SystemTime::now());
                    if reuse::decide(&entry.policy, age, &asked.directives) == Reuse::Fresh {
                        return self.serve(&asked, &entry, age, Outcome::Hit);
                    }
                }
                self.fetch(asked, None).await
            }
        }
    }

    async fn lookup(&self, asked: &Asked) -> Option<Arc<Entry>> {
        let variants = self.store.get(&asked.key).await?;
        variants.select(&asked.headers).cloned()
    }

    fn serve(
        &self,
        asked: &Asked,
        entry: &Entry,
        age: std::time::Duration,
        outcome: Outcome,
    ) -> Response<ProxyBody> {
        respond::from_cache(&asked.method, &asked.headers, entry, age, outcome)
    }

    /// A miss: forwarded (without the client's own validators, so that a whole response
    /// comes back to be stored; the client's conditions are then answered from it).
    async fn fetch(
        self: &Arc<Self>,
        asked: Asked,
        leader: Option<inflight::Leader>,
    ) -> Response<ProxyBody> {
        let mut headers = asked.headers.clone();
        if leader.is_some() {
            headers.remove(IF_NONE_MATCH);
            headers.remove(IF_MODIFIED_SINCE);
        }
        let request_time = SystemTime::now();
        let sent = self
            .upstream
            .send(
                asked.method.clone(),
                &asked.key,
                headers,
                reqwest::Body::default(),
            )
            .await;
        match sent {
            Ok(response) => self.answer_from_origin(&asked, response, request_time, leader),
            Err(failure) => respond::failure(&failure),
        }
    }

    /// A stored response that may not be served as it is: asked about with its validators
    /// (§4.3.1); a 304 freshens it (§4.3.4); an error or no answer may let it be served
    /// stale (RFC 5861 §4, RFC 9111 §4.2.4).
    async fn revalidate(self: &Arc<Self>, asked: Asked, entry: Arc<Entry>) -> Response<ProxyBody> {
        let mut headers = asked.headers.clone();
        headers.remove(IF_NONE_MATCH);
        headers.remove(IF_MODIFIED_SINCE);
        headers.remove(RANGE);
        let (etag, last_modified) = entry.validators();
        if let Some(etag) = etag {
            headers.insert(IF_NONE_MATCH, etag.clone());
        }
        if let Some(last_modified) = last_modified {
            headers.insert(IF_MODIFIED_SINCE, last_modified.clone());
        }
        let request_time = SystemTime::now();
        let sent = self
            .upstream
            .send(Method::GET, &asked.key, headers, reqwest::Body::default())
            .await;
        let response_time = SystemTime::now();
        match sent {
            Ok(response) if response.status() == StatusCode::NOT_MODIFIED => {
                let fresh = Arc::new(entry.freshened(
                    response.headers(),
                    request_time,
                    response_time,
                    self.store.default_ttl(),
                ));
                self.store.put(&asked.key, fresh.clone());
                let age = fresh.age(response_time);
                self.serve(&asked, &fresh, age, Outcome::Revalidated)
            }
            Ok(response)
                if response.status().is_server_error()
                    && reuse::usable_on_error(
                        &entry.policy,
                        entry.age(response_time),
                        &asked.directives,
                    ) =>
            {
                self.serve(&asked, &entry, entry.age(response_time), Outcome::Stale)
            }
            Ok(response) => {
                // A new response replaces the stored one; the GET's response answers a HEAD too.
                let asked = Asked {
                    method: Method::GET,
                    ..asked
                };
                self.answer_from_origin(&asked, response, request_time, None)
            }
            Err(failure) => {
                let age = entry.age(response_time);
                if disconnected_use_allowed(&entry, age, &asked.directives) {
                    self.serve(&asked, &entry, age, Outcome::Stale)
                } else {
                    respond::failure(&failure)
                }
            }
        }
    }

    /// `stale-while-revalidate`: the stale response is served now, and refreshed here
    /// unless a fetch of the URL is already under way.
    fn refresh_in_background(self: &Arc<Self>, asked: &Asked, entry: &Arc<Entry>) {
        let Turn::Lead(leader) = self.inflight.join(&asked.key) else {
            return;
        };
        let proxy = self.clone();
        let asked = Asked {
            method: Method::GET,
            ..asked.clone()
        };
        let entry = entry.clone();
        tokio::spawn(async move {
            let response = proxy.revalidate(asked, entry).await;
            // Reading the body to its end is what stores a new response.
            let _ = response.into_body().collect().await;
            drop(leader);
        });
    }

    /// The origin's response to a GET or HEAD, passed on, and stored on the way when §3
    /// allows (the body is teed; it is stored only if it arrives whole and within the size
    /// cap). `leader` is released once it is stored or found not storable.
    fn answer_from_origin(
        &self,
        asked: &Asked,
        response: Response<Streamed>,
        request_time: SystemTime,
        leader: Option<inflight::Leader>,
    ) -> Response<ProxyBody> {
        let response_time = SystemTime::now();
        let (mut head, body) = response.into_parts();
        // The proxy speaks HTTP/1.1 to its client whatever the origin spoke.
        head.version = Version::HTTP_11;
        crate::fields::strip_hop_by_hop(&mut head.headers);
        if !head.headers.contains_key(DATE) {
            head.headers.insert(DATE, entry::http_date(response_time));
        }
        let response_directives = Directives::from_headers(&head.headers);
        let verdict = storable::verdict(
            &storable::Request {
                method: &asked.method,
                headers: &asked.headers,
                directives: &asked.directives,
            },
            &storable::Response {
                status: head.status,
                headers: &head.headers,
                directives: &response_directives,
            },
        );
        // Surrogate-Control, when it speaks to us, overrides Cache-Control's say.
        let verdict = match Surrogate::from_headers(&head.headers) {
            Some(surrogate) if surrogate.no_store => Verdict::NoStore,
            Some(surrogate)
                if surrogate.max_age.is_some()
                    && !asked.directives.no_store
                    && matches!(verdict, Verdict::NoStore | Verdict::NoFreshness) =>
            {
                Verdict::Store
            }
            _ => verdict,
        };
        let small_enough = body
            .size_hint()
            .upper()
            .is_none_or(|length| length <= self.max_object_size as u64);
        let (body, outcome) =
            if verdict == Verdict::Store && small_enough && !asked.headers.contains_key(RANGE) {
                let store = self.store.clone();
                let parts = Parts {
                    status: head.status,
                    headers: head.headers.clone(),
                    body: Bytes::new(),
                    request_time,
                    response_time,
                    selecting: Selecting::capture(&head.headers, &asked.headers),
                };
                let key = asked.key.clone();
                let teed = ProxyBody::Stream(Box::pin(Tee::new(
                    body,
                    self.max_object_size,
                    Box::new(move |bytes| {
                        let entry = Entry::new(
                            Parts {
                                body: bytes,
                                ..parts
                            },
                            store.default_ttl(),
                        );
                        store.put(&key, Arc::new(entry));
                        drop(leader);
                    }),
                )));
                (teed, Outcome::MissStored)
            } else {
                drop(leader);
                (ProxyBody::Stream(body), Outcome::Miss)
            };
        for_client(&mut head, outcome);
        Response::from_parts(head, body)
    }

    /// Any other method: forwarded as it is, body streamed; if it is unsafe and succeeded,
    /// the stored responses for its URL and for the `Location` and `Content-Location` it
    /// names on the same origin are invalidated (§4.4).
    async fn pass_through(
        &self,
        method: Method,
        headers: HeaderMap,
        key: String,
        body: reqwest::Body,
    ) -> Response<ProxyBody> {
        let client_host = headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let unsafe_method = !matches!(method, Method::OPTIONS | Method::TRACE);
        let response = match self.upstream.send(method, &key, headers, body).await {
            Ok(response) => response,
            Err(failure) => return respond::failure(&failure),
        };
        let (mut head, body) = response.into_parts();
        if unsafe_method && (head.status.is_success() || head.status.is_redirection()) {
            self.store.remove(&key);
            for name in [LOCATION, CONTENT_LOCATION] {
                let named = head.headers.get(name).and_then(|v| v.to_str().ok());
                if let Some(path) = named.and_then(|value| {
                    target::same_origin_path(value, self.upstream.origin(), client_host.as_deref())
                }) {
                    self.store.remove(&path);
                }
            }
        }
        head.version = Version::HTTP_11;
        crate::fields::strip_hop_by_hop(&mut head.headers);
        for_client(&mut head, Outcome::Miss);
        Response::from_parts(head, ProxyBody::Stream(body))
    }
}

/// The last touches to an origin response on its way to the client (its hop-by-hop fields
/// already gone): no `Surrogate-Control` (it was for us), `Via`, and the cache's verdict.
fn for_client(head: &mut http::response::Parts, outcome: Outcome) {
    head.headers.remove(SURROGATE_CONTROL);
    head.headers.append(VIA, VIA_ENTRY);
    outcome.mark(&mut head.headers);
}

/// RFC 9111 §4.2.4: with the origin unreachable ("disconnected"), a stale response may be
/// served unless its directives forbid it (`must-revalidate` and the like, `no-cache`) or
/// the client asked for a fresh one. A timeout counts too: the client would rather have
/// the stale copy than a 504.
fn disconnected_use_allowed(entry: &Entry, age: std::time::Duration, request: &Directives) -> bool {
    if reuse::usable_on_error(&entry.policy, age, request) {
        return true;
    }
    !(entry.policy.must_revalidate
        || entry.policy.no_cache
        || request.no_cache
        || request.max_age.is_some()
        || request.min_fresh.is_some())
}
