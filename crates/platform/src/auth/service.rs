//! Account and session operations shared by every system: the `/auth` routes, the to-do
//! API's own `/todo/register`, the CLI's `users create`. Each returns an [`ApiError`] that
//! is already the right response.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::email::Email;
use super::entities::users;
use super::password::{NewPassword, PasswordHasher};
use super::repo::{self, NewUser, ProfileChanges};
use super::role::{self, Roles};
use super::tokens::{self, AccessTokens};
use crate::config::RateLimitSettings;
use crate::db::is_unique_violation;
use crate::error::{ApiError, FieldError};
use crate::pagination::{Page, Paginated};
use crate::ratelimit::{Quota, RateLimiter};

/// An account as the rest of the code sees it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Account id.
    pub id: Uuid,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Role.
    pub role: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<users::Model> for User {
    fn from(row: users::Model) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A signed-in session: the account and its fresh tokens.
#[derive(Clone, Debug)]
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

/// A checked registration.
pub struct Registration {
    /// The email.
    pub email: Email,
    /// The password.
    pub password: NewPassword,
    /// Optional display name.
    pub name: Option<String>,
}

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Checks a display name: trimmed, 1 to 100 characters, no control characters.
pub fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            "the name cannot be empty",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(field, "too_long", "at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid",
            "control characters are not allowed",
        ));
    }
    Ok(name.to_owned())
}

/// Profile changes asked for by the account holder.
#[derive(Default)]
pub struct ProfileUpdate {
    /// New display name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// `(current, new)` password.
    pub password: Option<(String, NewPassword)>,
}

/// Accounts, passwords and sessions.
#[derive(Clone)]
pub struct AuthService {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    hasher: PasswordHasher,
    tokens: Arc<AccessTokens>,
    limiter: Arc<dyn RateLimiter>,
    limits: RateLimitSettings,
    roles: Roles,
    refresh_ttl: Duration,
}

impl AuthService {
    /// Wires the service together.
    pub fn new(
        db: DatabaseConnection,
        hasher: PasswordHasher,
        tokens: Arc<AccessTokens>,
        limiter: Arc<dyn RateLimiter>,
        limits: RateLimitSettings,
        roles: Roles,
        refresh_ttl: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                hasher,
                tokens,
                limiter,
                limits,
                roles,
                refresh_ttl,
            }),
        }
    }

    /// The token issuer/verifier.
    pub fn tokens(&self) -> &Arc<AccessTokens> {
        &self.inner.tokens
    }

    /// The password hasher.
    pub fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    /// The roles this deployment knows.
    pub fn roles(&self) -> &Roles {
        &self.inner.roles
    }

    /// Creates an account with the `user` role and signs it in. 409 `email_taken` if the
    /// email is already registered.
    pub async fn register(&self, registration: Registration) -> Result<Session, ApiError> {
        let user = self.create_user(registration, role::USER).await?;
        self.start_session(user).await
    }

    /// Creates an account with the given role without signing in (admin bootstrap).
    pub async fn create_user(
        &self,
        registration: Registration,
        role: &str,
    ) -> Result<User, ApiError> {
        let role = self.known_role(role)?;
        let password_hash = self.inner.hasher.hash(&registration.password).await?;
        let new_user = NewUser {
            email: &registration.email,
            name: registration.name,
            password_hash,
            role,
        };
        match repo::insert_user(&self.inner.db, new_user).await {
            Ok(row) => Ok(row.into()),
            Err(e) if is_unique_violation(&e) => Err(ApiError::conflict(
                "email_taken",
                "an account with this email already exists",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks credentials. Unknown email and wrong password give the same 401 after the
    /// same amount of hashing work; failures count against both the client address and
    /// the account, and either limit turns further attempts into 429.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Session, ApiError> {
        let email = Email::parse(email).map_err(|e| ApiError::validation(vec![e]))?;
        let keys = [
            format!("login-ip:{client}"),
            format!("login-account:{email}"),
        ];
        let quotas = [
            self.failure_quota(self.inner.limits.login_failures_per_ip),
            self.failure_quota(self.inner.limits.login_failures_per_account),
        ];
        if self.inner.limits.enabled {
            for (key, quota) in keys.iter().zip(quotas) {
                let decision = self.limit(key, quota, false).await;
                if !decision.is_allowed() {
                    return Err(ApiError::too_many_requests(decision.retry_after_secs()));
                }
            }
        }
        let user = repo::find_user_by_email(&self.inner.db, &email).await?;
        let verified = match &user {
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
            Some(user) if verified => self.start_session(user.into()).await,
            _ => {
                if self.inner.limits.enabled {
                    for (key, quota) in keys.iter().zip(quotas) {
                        self.limit(key, quota, true).await;
                    }
                }
                Err(ApiError::unauthorized(
                    "invalid_credentials",
                    "the email or password is incorrect",
                ))
            }
        }
    }

    /// Exchanges a refresh token for a new pair (rotation). A token that was already used
    /// revokes its whole family: whoever holds the newer token must sign in again.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, ApiError> {
        let hash = tokens::hash_refresh_token(refresh_token);
        let now = Utc::now();
        let txn = self.inner.db.begin().await?;
        if repo::mark_refresh_token_used(&txn, &hash, now).await? {
            let stored = repo::find_refresh_token(&txn, &hash)
                .await?
                .ok_or_else(|| {
                    ApiError::internal("refresh token vanished inside its transaction")
                })?;
            let user = repo::find_user(&txn, stored.user_id)
                .await?
                .ok_or_else(|| invalid_refresh("the account no longer exists"))?;
            let refresh_token = self
                .insert_refresh_token(&txn, user.id, stored.family_id)
                .await?;
            txn.commit().await?;
            return self.session_with(user.into(), refresh_token);
        }
        txn.rollback().await?;
        let Some(stored) = repo::find_refresh_token(&self.inner.db, &hash).await? else {
            return Err(invalid_refresh("the refresh token is not valid"));
        };
        if stored.revoked_at.is_some() {
            return Err(invalid_refresh(
                "the refresh token has been revoked; sign in again",
            ));
        }
        if stored.used_at.is_some() {
            repo::revoke_family(&self.inner.db, stored.family_id, now).await?;
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
        if let Some(stored) = repo::find_refresh_token(&self.inner.db, &hash).await? {
            repo::revoke_family(&self.inner.db, stored.family_id, Utc::now()).await?;
        }
        Ok(())
    }

    /// The account behind a valid access token. 401 if it was deleted since.
    pub async fn current_user(&self, id: Uuid) -> Result<User, ApiError> {
        self.user_row(id).await.map(User::from)
    }

    /// Applies the account holder's changes. A password change needs the current password
    /// and signs out every session (refresh tokens); access tokens expire on their own.
    pub async fn update_profile(&self, id: Uuid, update: ProfileUpdate) -> Result<User, ApiError> {
        let user = self.user_row(id).await?;
        let mut changes = ProfileChanges {
            name: update.name,
            ..ProfileChanges::default()
        };
        let changing_password = update.password.is_some();
        if let Some((current, new)) = update.password {
            let key = format!("login-account:{}", user.email);
            let quota = self.failure_quota(self.inner.limits.login_failures_per_account);
            if self.inner.limits.enabled {
                let decision = self.limit(&key, quota, false).await;
                if !decision.is_allowed() {
                    return Err(ApiError::too_many_requests(decision.retry_after_secs()));
                }
            }
            if !self
                .inner
                .hasher
                .verify(&current, &user.password_hash)
                .await?
            {
                if self.inner.limits.enabled {
                    self.limit(&key, quota, true).await;
                }
                return Err(ApiError::invalid_field(
                    "currentPassword",
                    "incorrect",
                    "the current password is incorrect",
                ));
            }
            changes.password_hash = Some(self.inner.hasher.hash(&new).await?);
        }
        let txn = self.inner.db.begin().await?;
        let updated = repo::update_user(&txn, user, changes).await?;
        if changing_password {
            repo::revoke_user_tokens(&txn, id, Utc::now()).await?;
        }
        txn.commit().await?;
        Ok(updated.into())
    }

    /// One page of accounts, oldest first.
    pub async fn list_users(&self, page: Page) -> Result<Paginated<User>, ApiError> {
        let (rows, total) = repo::list_users(&self.inner.db, page).await?;
        Ok(Paginated::new(
            rows.into_iter().map(User::from).collect(),
            page,
            total,
        ))
    }

    /// Gives an account a role. Refuses to demote the last admin, which would leave the
    /// deployment without anyone able to manage it.
    pub async fn set_role(&self, id: Uuid, role: &str) -> Result<User, ApiError> {
        let role = self.known_role(role)?;
        let txn = self.inner.db.begin().await?;
        let user = repo::find_user(&txn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if user.role == role::ADMIN
            && role != role::ADMIN
            && repo::count_users_with_role(&txn, role::ADMIN).await? <= 1
        {
            return Err(ApiError::conflict(
                "last_admin",
                "the last admin cannot be demoted",
            ));
        }
        let updated = repo::update_user(
            &txn,
            user,
            ProfileChanges {
                role: Some(role.to_owned()),
                ..ProfileChanges::default()
            },
        )
        .await?;
        txn.commit().await?;
        Ok(updated.into())
    }

    /// Gives the account with this email the admin role (CLI bootstrap).
    pub async fn promote(&self, email: &Email) -> Result<User, ApiError> {
        let user = repo::find_user_by_email(&self.inner.db, email)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        self.set_role(user.id, role::ADMIN).await
    }

    /// Deletes refresh tokens that expired more than a day ago; returns how many.
    pub async fn purge_expired_refresh_tokens(&self) -> Result<u64, ApiError> {
        let cutoff = Utc::now() - chrono::Duration::days(1);
        Ok(repo::purge_refresh_tokens(&self.inner.db, cutoff).await?)
    }

    fn known_role(&self, role: &str) -> Result<&'static str, ApiError> {
        self.inner.roles.find(role).ok_or_else(|| {
            ApiError::invalid_field(
                "role",
                "unknown_role",
                format!(
                    "unknown role; known roles: {}",
                    self.inner.roles.all().join(", ")
                ),
            )
        })
    }

    async fn user_row(&self, id: Uuid) -> Result<users::Model, ApiError> {
        repo::find_user(&self.inner.db, id).await?.ok_or_else(|| {
            ApiError::unauthorized(
                "account_not_found",
                "the account behind this token no longer exists",
            )
        })
    }

    fn failure_quota(&self, count: u32) -> Quota {
        Quota::per_window(
            count,
            Duration::from_secs(self.inner.limits.login_failure_window_secs),
        )
    }

    /// A limiter failure (Redis down) lets the attempt through rather than locking
    /// everyone out; it is logged.
    async fn limit(&self, key: &str, quota: Quota, consume: bool) -> crate::ratelimit::Decision {
        match self.inner.limiter.check(key, quota, consume).await {
            Ok(decision) => decision,
            Err(error) => {
                tracing::warn!(%error, "login rate limiter unavailable; allowing the attempt");
                crate::ratelimit::Decision::Allowed { remaining: 0 }
            }
        }
    }

    async fn start_session(&self, user: User) -> Result<Session, ApiError> {
        let refresh_token = self
            .insert_refresh_token(&self.inner.db, user.id, Uuid::now_v7())
            .await?;
        self.session_with(user, refresh_token)
    }

    async fn insert_refresh_token(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: Uuid,
        family_id: Uuid,
    ) -> Result<String, ApiError> {
        let token = tokens::new_refresh_token().map_err(|e| ApiError::internal(e.to_string()))?;
        let ttl = chrono::Duration::from_std(self.inner.refresh_ttl).map_err(ApiError::internal)?;
        repo::insert_refresh_token(
            conn,
            user_id,
            family_id,
            tokens::hash_refresh_token(&token),
            Utc::now() + ttl,
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

fn invalid_refresh(detail: &'static str) -> ApiError {
    ApiError::unauthorized("invalid_refresh_token", detail)
}
