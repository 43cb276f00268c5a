//! Account and session operations shared by every system: the `/auth` routes, systems
//! with their own sign-up endpoints (the to-do API's `/todo/register`, later), and the
//! CLI's `users create`. Each returns an [`ApiError`] that is already the right response.
//!
//! Concurrency: every transaction that reads before it writes starts with
//! [`crate::db::begin_write`] (an immediate write lock on SQLite), and operations that end
//! or extend sessions lock the account's row first (`SELECT ... FOR UPDATE` on
//! PostgreSQL), so a refresh racing a logout or a password change cannot leave a live
//! token behind.

mod accounts;
mod attempts;
mod profile;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::email::Email;
use super::entities::users;
use super::password::{NewPassword, PasswordHasher};
use super::repo::{self, NewUser, ProfileChanges};
use super::role::{self, Roles};
use super::tokens::AccessTokens;
use crate::config::RateLimitSettings;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{ApiError, FieldError};
use crate::pagination::{Page, Paginated};
use crate::ratelimit::RateLimiter;

pub use profile::ProfileUpdate;
pub use sessions::Session;

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
        let inner = Inner {
            db,
            hasher,
            tokens,
            limiter,
            limits,
            roles,
            refresh_ttl,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The token issuer/verifier.
    pub fn tokens(&self) -> &Arc<AccessTokens> {
        &self.inner.tokens
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

    /// The account behind a valid access token. 401 if it was deleted since.
    pub async fn current_user(&self, id: Uuid) -> Result<User, ApiError> {
        self.user_row(id).await.map(User::from)
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
    /// deployment without anyone able to manage it; the admin rows are locked while
    /// counting, so two admins demoting each other at once cannot both succeed.
    pub async fn set_role(&self, id: Uuid, role: &str) -> Result<User, ApiError> {
        let role = self.known_role(role)?;
        let txn = begin_write(&self.inner.db).await?;
        let admins = repo::lock_admin_ids(&txn).await?;
        let user = repo::lock_user(&txn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if user.role == role::ADMIN && role != role::ADMIN && admins.len() <= 1 {
            return Err(ApiError::conflict(
                "last_admin",
                "the last admin cannot be demoted",
            ));
        }
        let changes = ProfileChanges {
            role: Some(role.to_owned()),
            ..ProfileChanges::default()
        };
        let updated = repo::update_user(&txn, user, changes).await?;
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

    pub(super) fn known_role(&self, role: &str) -> Result<&'static str, ApiError> {
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
}
