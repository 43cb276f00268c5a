//! The innermost middleware, run for every request before its handler: refuse bodies that
//! announce more than the limit, resolve the client address, verify a bearer token once,
//! apply the per-address and per-user rate limits, and bound the handler's time.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::client_ip::ClientIp;
use super::extract::payload_too_large;
use crate::auth::extract::{VerifiedClaims, bearer_token};
use crate::auth::tokens::AccessTokens;
use crate::config::{RateLimitSettings, ServerSettings};
use crate::error::ApiError;
use crate::ratelimit::{Decision, Quota, RateLimiter};

/// What the guard needs; built once per app.
#[derive(Clone)]
pub struct Guard {
    tokens: Arc<AccessTokens>,
    limiter: Arc<dyn RateLimiter>,
    limits: Option<(Quota, Quota)>,
    body_limit: usize,
    timeout: Duration,
    trust_forwarded_for: bool,
}

impl Guard {
    /// A guard for these settings.
    pub fn new(
        server: &ServerSettings,
        rate_limit: &RateLimitSettings,
        tokens: Arc<AccessTokens>,
        limiter: Arc<dyn RateLimiter>,
    ) -> Self {
        let limits = rate_limit.enabled.then(|| {
            (
                Quota::per_second(rate_limit.per_ip_per_second, rate_limit.per_ip_burst),
                Quota::per_second(rate_limit.per_user_per_second, rate_limit.per_user_burst),
            )
        });
        Self {
            tokens,
            limiter,
            limits,
            body_limit: server.body_limit_bytes,
            timeout: Duration::from_secs(server.request_timeout_secs),
            trust_forwarded_for: server.trust_forwarded_for,
        }
    }

    async fn check(&self, key: &str, quota: Quota) -> Result<(), ApiError> {
        match self.limiter.check(key, quota, true).await {
            Ok(Decision::Allowed { .. }) => Ok(()),
            Ok(limited) => Err(ApiError::too_many_requests(limited.retry_after_secs())),
            // Failing open: an unreachable Redis must not take the whole API down.
            Err(error) => {
                tracing::warn!(%error, "rate limiter unavailable; request allowed");
                Ok(())
            }
        }
    }
}

/// The middleware function.
pub async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    match admit(&guard, request).await {
        Ok(request) => match tokio::time::timeout(guard.timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!("the request took longer than {} s", guard.timeout.as_secs()),
            )
            .into_response(),
        },
        Err(error) => error.into_response(),
    }
}

async fn admit(guard: &Guard, request: Request) -> Result<Request, ApiError> {
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > guard.body_limit as u64) {
        return Err(payload_too_large());
    }
    let (mut parts, body) = request.into_parts();
    let client = ClientIp::resolve(&parts, guard.trust_forwarded_for);
    parts.extensions.insert(client);
    parts.extensions.insert(guard.tokens.clone());
    if let Some((per_ip, per_user)) = guard.limits {
        guard.check(&format!("ip:{}", client.0), per_ip).await?;
        // A bad token is not an error here: the handler decides whether it needs one.
        let claims = bearer_token(&parts)
            .ok()
            .flatten()
            .and_then(|t| guard.tokens.verify(t).ok());
        if let Some(claims) = claims {
            guard
                .check(&format!("user:{}", claims.sub), per_user)
                .await?;
            parts.extensions.insert(VerifiedClaims(claims));
        }
    }
    Ok(Request::from_parts(parts, body))
}
