//! The `webhook` kind: POST a JSON body to a URL, signed; the receiver's status decides.
//!
//! Success is any 2xx. `410 Gone` is final (the receiver says the endpoint is gone);
//! every other status, a timeout or a refused connection is retried with backoff.
//! Redirects are not followed (a redirect could lead to a refused address).

use std::collections::BTreeMap;
use std::time::Duration;

use groundwork_platform::jobs::{Job, JobError, JobInfo};
use groundwork_platform::{FieldError, FieldErrors};
use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::signing::{self, SIGNATURE_HEADER};
use crate::targets::{GuardedResolver, TargetPolicy};

/// A webhook delivery, as enqueued.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// `http://` or `https://` URL of the receiver.
    pub url: String,
    /// The JSON sent as the request body.
    #[serde(default)]
    pub body: serde_json::Value,
    /// Extra request headers (`Authorization`, ...).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// Headers a payload may not set: we set them, or they belong to the connection.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "proxy-authorization",
    "idempotency-key",
    "user-agent",
];
const MAX_HEADERS: usize = 20;
const MAX_HEADER_VALUE: usize = 2048;
const MAX_URL: usize = 2048;

impl Webhook {
    /// Checks everything that can be checked before delivery: the URL's shape, a literal
    /// IP against the policy, `localhost` names, and the headers.
    pub fn validate(&self, policy: TargetPolicy) -> Result<(), Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        errors.take(check_url(&self.url, policy));
        if self.headers.len() > MAX_HEADERS {
            errors.push(FieldError::new(
                "payload.headers",
                "too_many",
                format!("at most {MAX_HEADERS} headers"),
            ));
        }
        for (name, value) in &self.headers {
            errors.take(check_header(name, value));
        }
        errors
            .finish(|| Some(()))
            .map_err(|e| e.field_errors().to_vec())
    }
}

fn check_url(raw: &str, policy: TargetPolicy) -> Result<(), FieldError> {
    let invalid = |message: String| FieldError::new("payload.url", "invalid", message);
    if raw.len() > MAX_URL {
        return Err(invalid(format!("at most {MAX_URL} characters")));
    }
    let url = url::Url::parse(raw).map_err(|e| invalid(format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http:// and https:// URLs".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials in the URL are not accepted; send them in `headers`".into(),
        ));
    }
    let refused = |message: String| FieldError::new("payload.url", "refused_target", message);
    match url.host() {
        None => Err(invalid("the URL has no host".into())),
        Some(url::Host::Ipv4(ip)) => policy
            .refusal(ip.into())
            .map_or(Ok(()), |m| Err(refused(m))),
        Some(url::Host::Ipv6(ip)) => policy
            .refusal(ip.into())
            .map_or(Ok(()), |m| Err(refused(m))),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost" || name.ends_with(".localhost");
            if local && !policy.allow_private {
                Err(refused(format!(
                    "{name} is this machine; webhooks to private networks are refused unless \
                     GROUNDWORK__JOBS__ALLOW_PRIVATE_TARGETS=true"
                )))
            } else {
                Ok(())
            }
        }
    }
}

fn check_header(name: &str, value: &str) -> Result<(), FieldError> {
    let field = format!("payload.headers.{name}");
    let lower = name.to_ascii_lowercase();
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(FieldError::new(field, "invalid", "not a valid header name"));
    }
    if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("x-groundwork-") {
        return Err(FieldError::new(
            field,
            "reserved",
            "this header is set by the delivery",
        ));
    }
    if value.len() > MAX_HEADER_VALUE || HeaderValue::from_str(value).is_err() {
        return Err(FieldError::new(
            field,
            "invalid",
            format!("header values are visible ASCII, at most {MAX_HEADER_VALUE} bytes"),
        ));
    }
    Ok(())
}

/// What deliveries share: the guarded client and the signing key.
pub struct WebhookContext {
    client: reqwest::Client,
    secret: Vec<u8>,
    policy: TargetPolicy,
}

impl WebhookContext {
    /// A client that resolves through the address guard, follows no redirects, uses no
    /// proxy from the environment, and gives up after `timeout`.
    pub fn new(policy: TargetPolicy, secret: Vec<u8>, timeout: Duration) -> reqwest::Result<Self> {
        let client = reqwest::Client::builder()
            .dns_resolver(GuardedResolver::new(policy))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("groundwork-jobs/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            secret,
            policy,
        })
    }
}

impl Job for Webhook {
    const KIND: &'static str = "webhook";
    const QUEUE: &'static str = "webhooks";
    const MAX_ATTEMPTS: i32 = 12;
    type Context = WebhookContext;

    async fn run(self, context: &WebhookContext, job: &JobInfo) -> Result<(), JobError> {
        let url = url::Url::parse(&self.url).map_err(|e| JobError::permanent(e.to_string()))?;
        // Literal addresses skip the resolver: check them here, at delivery time too.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::from(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::from(ip)),
            _ => None,
        };
        if let Some(why) = literal.and_then(|ip| context.policy.refusal(ip)) {
            return Err(JobError::permanent(why));
        }
        let body =
            serde_json::to_vec(&self.body).map_err(|e| JobError::permanent(e.to_string()))?;
        let now = chrono::Utc::now().timestamp();
        let mut request = context
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signing::sign(&context.secret, now, &body))
            .header("x-groundwork-job", job.id.to_string())
            .header("x-groundwork-attempt", job.attempt.to_string())
            .header("idempotency-key", job.idempotency_key());
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = tokio::select! {
            () = job.cancelled() => return Err(JobError::retry("cancelled during delivery")),
            sent = request.body(body).send() => sent.map_err(|e| JobError::retry(describe(&e)))?,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let excerpt = excerpt(response).await;
        let message = format!("the receiver answered {status}{excerpt}");
        if status == reqwest::StatusCode::GONE {
            Err(JobError::permanent(message))
        } else {
            Err(JobError::retry(message))
        }
    }
}

/// The error with its causes (reqwest's top-level message alone says only "error sending
/// request"; the refusal by the address guard is in the source chain).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The start of the response body, for the job's last error.
async fn excerpt(mut response: reqwest::Response) -> String {
    const MAX: usize = 300;
    // Chunk by chunk: a receiver's huge error page is not read beyond what is kept.
    let mut kept = Vec::new();
    while kept.len() < MAX {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&kept[..kept.len().min(MAX)]);
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}
