//! Extractors that authenticate a request from its `Authorization: Bearer` header.
//!
//! They work in any system's handlers, whatever its router state: the HTTP pipeline puts
//! a [`RequestContext`] with the token verifier into every request's extensions (and, when
//! the rate limiter already verified the token, its claims, so a token is checked once per
//! request).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use super::role;
use super::tokens::{Claims, TokenError};
use crate::error::ApiError;
use crate::http::context::RequestContext;

/// An authenticated caller. Extracting it answers 401 when the token is missing, malformed,
/// expired or signed with another key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    /// The account id.
    pub id: Uuid,
    /// The role the token was issued with.
    pub role: String,
}

impl AuthUser {
    /// Whether the caller has the role; admins have every role.
    pub fn has_role(&self, role: &str) -> bool {
        self.role == role || self.role == role::ADMIN
    }

    /// 403 unless the caller has the role.
    pub fn require_role(&self, role: &str) -> Result<(), ApiError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this requires the {role} role"
            )))
        }
    }
}

impl From<Claims> for AuthUser {
    fn from(claims: Claims) -> Self {
        Self {
            id: claims.sub,
            role: claims.role,
        }
    }
}

/// The bearer token of a request, if it has an `Authorization` header. `Token` is
/// accepted as an alias of `Bearer`: RealWorld clients send `Authorization: Token <jwt>`.
/// `Err` when the header is present but is not a bearer token.
pub fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| not_bearer())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(not_bearer)?;
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    if !known || token.trim().is_empty() {
        return Err(not_bearer());
    }
    Ok(Some(token.trim()))
}

fn not_bearer() -> ApiError {
    ApiError::unauthorized(
        "invalid_token",
        "expected an Authorization: Bearer <token> header",
    )
}

/// Maps a verification failure to its response.
pub(crate) fn token_error(error: TokenError) -> ApiError {
    match error {
        TokenError::Expired => {
            ApiError::unauthorized("token_expired", "the access token has expired; refresh it")
        }
        TokenError::Invalid => {
            ApiError::unauthorized("invalid_token", "the access token is not valid")
        }
    }
}

/// The caller behind the request's token, if any; used by the extractors here and by
/// systems with their own error shapes (the blog's RealWorld face).
pub fn authenticate(parts: &Parts) -> Result<Option<AuthUser>, ApiError> {
    let context = request_context(parts)?;
    if let Some(claims) = &context.claims {
        return Ok(Some(claims.clone().into()));
    }
    let Some(token) = bearer_token(parts)? else {
        return Ok(None);
    };
    verify(context, token)
}

fn verify(context: &RequestContext, token: &str) -> Result<Option<AuthUser>, ApiError> {
    context
        .auth
        .tokens()
        .verify(token)
        .map(|claims| Some(claims.into()))
        .map_err(token_error)
}

fn request_context(parts: &Parts) -> Result<&RequestContext, ApiError> {
    parts
        .extensions
        .get::<RequestContext>()
        .ok_or_else(|| ApiError::internal("the HTTP pipeline did not run for this request"))
}

/// Like [`authenticate`], but also accepts a token sent with no scheme at all
/// (`Authorization: <token>`), which the roadmap to-do spec allows ("use the
/// `Authorization` header with the token as the value"). The token is verified the same
/// way; only the header's form is looser.
pub fn authenticate_allowing_bare_token(parts: &Parts) -> Result<Option<AuthUser>, ApiError> {
    let bare = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains(' '));
    let Some(token) = bare else {
        return authenticate(parts);
    };
    verify(request_context(parts)?, token)
}

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        authenticate(parts)?.ok_or_else(|| {
            ApiError::unauthorized(
                "missing_token",
                "this endpoint needs an Authorization: Bearer <token> header",
            )
        })
    }
}

/// `Option<AuthUser>`: anonymous callers get `None`, but a *bad* token is still a 401, so
/// a client with an expired token learns about it instead of silently seeing public data.
impl<S: Send + Sync> OptionalFromRequestParts<S> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, ApiError> {
        authenticate(parts)
    }
}

/// An authenticated caller who may be anonymous; see the `Option<AuthUser>` impl.
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<AuthUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        authenticate(parts).map(MaybeUser)
    }
}

/// An authenticated caller who is an admin *now* (403 otherwise). The role in a token can
/// be up to 15 minutes old; admin actions are rare and powerful enough to check the
/// account's current role in the database, so a demoted admin loses access at once.
#[derive(Clone, Debug)]
pub struct Admin(pub AuthUser);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let user = <AuthUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        user.require_role(role::ADMIN)?;
        let context = request_context(parts)?;
        let current = context.auth.current_user(user.id).await?;
        let user = AuthUser {
            id: current.id,
            role: current.role,
        };
        user.require_role(role::ADMIN)?;
        Ok(Admin(user))
    }
}
