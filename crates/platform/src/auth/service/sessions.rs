//! Signing in, rotating refresh tokens, signing out.

use std::fmt;
use std::net::IpAddr;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{AuthService, User};
use crate::auth::email::Email;
use crate::auth::password::MAX_PASSWORD_BYTES;
use crate::auth::repo;
use crate::auth::tokens;
use crate::db::begin_write;
use crate::error::ApiError;

/// A signed-in session: the account and its fresh tokens.
#[derive(Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// A JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The opaque token to exchange for new tokens at `/auth/refresh`.
    pub refresh_token: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

fn invalid_refresh(detail: &'static str) -> ApiError {
    ApiError::unauthorized("invalid_refresh_token", detail)
}

impl AuthService {
    /// Checks credentials and starts a session (access and refresh token).
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Session, ApiError> {
        let user = self.authenticate(email, password, client).await?;
        self.start_session(user).await
    }

    /// Checks credentials without starting a session, for systems that issue their own
    /// tokens (the RealWorld face of the blog). Unknown email and wrong password give the
    /// same 401 after the same amount of hashing work. Attempts count against the client
    /// address and the account (see `attempts.rs`); over either limit every attempt gets 429.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<User, ApiError> {
        let email = Email::parse(email).map_err(|e| ApiError::validation(vec![e]))?;
        let attempt = self.begin_attempt(&email, Some(client)).await?;
        let user = repo::find_user_by_email(&self.inner.db, &email).await?;
        let verified = match &user {
            // No account has a password this long; spend the usual work on a short one
            // rather than hashing megabytes.
            _ if password.len() > MAX_PASSWORD_BYTES => {
                self.inner.hasher.verify_dummy("").await?;
                false
            }
            Some(user) => {
                self.inner
                    .hasher
                    .verify(password, &user.password_hash)
                    .await?
            }
            None => {
                self.inner.hasher.verify_dummy(password).await?;
                false
            }
        };
        match user {
            Some(user) if verified => {
                self.forgive(attempt).await;
                Ok(user.into())
            }
            _ => Err(ApiError::unauthorized(
                "invalid_credentials",
                "the email or password is incorrect",
            )),
        }
    }

    /// Exchanges a refresh token for a new pair (rotation). A token that was already used
    /// revokes its whole family: whoever holds the newer token must sign in again. Two
    /// concurrent refreshes of one token count as reuse too (one wins, then both lose).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, ApiError> {
        let hash = tokens::hash_refresh_token(refresh_token);
        let txn = begin_write(&self.inner.db).await?;
        let Some(stored) = repo::find_refresh_token(&txn, &hash).await? else {
            return Err(invalid_refresh("the refresh token is not valid"));
        };
        let Some(user) = repo::lock_user(&txn, stored.user_id).await? else {
            return Err(invalid_refresh("the account no longer exists"));
        };
        let now = Utc::now();
        if repo::mark_refresh_token_used(&txn, &hash, now).await? {
            let refresh_token = self
                .insert_refresh_token(&txn, user.id, stored.family_id)
                .await?;
            txn.commit().await?;
            return self.session_with(user.into(), refresh_token);
        }
        // Read again under the lock: the row may have changed since the first read.
        let stored = repo::find_refresh_token(&txn, &hash)
            .await?
            .ok_or_else(|| invalid_refresh("the refresh token is not valid"))?;
        if stored.revoked_at.is_some() {
            return Err(invalid_refresh(
                "the refresh token has been revoked; sign in again",
            ));
        }
        if stored.used_at.is_some() {
            repo::revoke_family(&txn, stored.family_id, now).await?;
            txn.commit().await?;
            tracing::warn!(user_id = %stored.user_id, family_id = %stored.family_id, "refresh token reused; session revoked");
            return Err(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been revoked, sign in again",
            ));
        }
        Err(ApiError::unauthorized(
            "refresh_token_expired",
            "the refresh token has expired; sign in again",
        ))
    }

    /// Ends the session the refresh token belongs to. Unknown tokens are ignored, as
    /// OAuth token revocation (RFC 7009) prescribes, so logout is idempotent.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), ApiError> {
        let hash = tokens::hash_refresh_token(refresh_token);
        let txn = begin_write(&self.inner.db).await?;
        if let Some(stored) = repo::find_refresh_token(&txn, &hash).await? {
            repo::lock_user(&txn, stored.user_id).await?;
            repo::revoke_family(&txn, stored.family_id, Utc::now()).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub(super) async fn start_session(&self, user: User) -> Result<Session, ApiError> {
        let refresh_token = self
            .insert_refresh_token(&self.inner.db, user.id, Uuid::now_v7())
            .await?;
        self.session_with(user, refresh_token)
    }

    async fn insert_refresh_token(
        &self,
        conn: &impl ConnectionTrait,
        user_id: Uuid,
        family_id: Uuid,
    ) -> Result<String, ApiError> {
        let token = tokens::new_refresh_token().map_err(|e| ApiError::internal(e.to_string()))?;
        let ttl = chrono::Duration::from_std(self.inner.refresh_ttl).map_err(ApiError::internal)?;
        let expires_at = Utc::now() + ttl;
        repo::insert_refresh_token(
            conn,
            user_id,
            family_id,
            tokens::hash_refresh_token(&token),
            expires_at,
        )
        .await?;
        Ok(token)
    }

    fn session_with(&self, user: User, refresh_token: String) -> Result<Session, ApiError> {
        let access_token = self
            .inner
            .tokens
            .issue(user.id, &user.role)
            .map_err(ApiError::internal)?;
        Ok(Session {
            user,
            access_token,
            expires_in: self.inner.tokens.ttl().as_secs(),
            refresh_token,
        })
    }
}
