//! Talking to the origin: one pooled HTTP client (reqwest, so `https` origins work too),
//! requests forwarded with hop-by-hop fields removed and `Via` added, redirects passed
//! back to the client rather than followed, and a timeout on the response's arrival.

use std::time::Duration;

use http::header::{HOST, VIA};
use http::{HeaderMap, HeaderValue, Method, Response};
use http_body_util::BodyExt;

use crate::body::{BoxError, Streamed};
use crate::fields;
use crate::surrogate::{CAPABILITY, SURROGATE_CAPABILITY};
use crate::target::Origin;

/// The `Via` entry this proxy adds (RFC 9110 §7.6.3: protocol version and a pseudonym).
pub const VIA_ENTRY: HeaderValue = HeaderValue::from_static("1.1 caching-proxy");

/// Why the origin gave no response.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Connection refused, reset, DNS, TLS, or a response that is not HTTP.
    #[error(
        "the origin {origin} could not be reached or answered with something that is not HTTP: {detail}"
    )]
    Unreachable {
        /// The origin.
        origin: String,
        /// The client's account of it.
        detail: String,
    },
    /// No response within the timeout.
    #[error("the origin {origin} did not answer within {seconds} s")]
    Timeout {
        /// The origin.
        origin: String,
        /// The timeout.
        seconds: u64,
    },
}

/// The origin and the client that reaches it.
pub struct Upstream {
    origin: Origin,
    client: reqwest::Client,
    timeout: Duration,
}

impl Upstream {
    /// A client for `origin`; `timeout` bounds connecting, the wait for a response's head,
    /// and each wait for more of its body.
    pub fn new(origin: Origin, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy in front of one origin must not itself go through HTTP_PROXY.
            .no_proxy()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(1024)
            .tcp_nodelay(true)
            .build()?;
        Ok(Self {
            origin,
            client,
            timeout,
        })
    }

    /// The timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The origin.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Sends a request to the origin: `headers` as the client sent them (hop-by-hop ones
    /// and `Host` are replaced here), the body streamed through.
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        mut headers: HeaderMap,
        body: reqwest::Body,
    ) -> Result<Response<Streamed>, Failure> {
        fields::strip_hop_by_hop(&mut headers);
        headers.remove(HOST);
        headers.append(VIA, VIA_ENTRY);
        headers.append(SURROGATE_CAPABILITY, CAPABILITY);
        let request = self
            .client
            .request(method, self.origin.url_for(path_and_query))
            .headers(headers)
            .body(body);
        let sent = tokio::time::timeout(self.timeout, request.send()).await;
        let response = match sent {
            Err(_) => return Err(self.timed_out()),
            Ok(Err(error)) if error.is_timeout() => return Err(self.timed_out()),
            Ok(Err(error)) => {
                return Err(Failure::Unreachable {
                    origin: self.origin.to_string(),
                    detail: error_chain(&error),
                });
            }
            Ok(Ok(response)) => response,
        };
        let response: Response<reqwest::Body> = response.into();
        Ok(response.map(|body| -> Streamed { Box::pin(body.map_err(BoxError::from)) }))
    }

    fn timed_out(&self) -> Failure {
        Failure::Timeout {
            origin: self.origin.to_string(),
            seconds: self.timeout.as_secs(),
        }
    }
}

/// An error with its causes, which is where reqwest puts the useful part.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
