//! Account operations for systems that manage users through their own API (the blog's
//! RealWorld face registers users, changes their email and password, and issues tokens
//! in its own protocol), built from the same checks as `/auth`.

use std::time::Duration;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{AuthService, User};
use crate::auth::email::Email;
use crate::auth::password::NewPassword;
use crate::auth::repo::{self, NewUser, ProfileChanges};
use crate::db::{begin_write, is_unique_violation};
use crate::error::ApiError;

fn email_taken() -> ApiError {
    ApiError::conflict("email_taken", "an account with this email already exists")
}

impl AuthService {
    /// Hashes a password with the platform's Argon2id settings. Hash before opening a
    /// transaction: it takes milliseconds.
    pub async fn hash_password(&self, password: &NewPassword) -> Result<String, ApiError> {
        self.inner.hasher.hash(password).await
    }

    /// Inserts an account with an already hashed password, on the caller's connection or
    /// transaction, so a system can create its own rows for the account atomically.
    /// 409 `email_taken` for a registered email.
    pub async fn insert_user(
        &self,
        conn: &impl ConnectionTrait,
        email: &Email,
        name: Option<String>,
        password_hash: String,
        role: &str,
    ) -> Result<User, ApiError> {
        let role = self.known_role(role)?;
        let new_user = NewUser {
            email,
            name,
            password_hash,
            role,
        };
        match repo::insert_user(conn, new_user).await {
            Ok(row) => Ok(row.into()),
            Err(e) if is_unique_violation(&e) => Err(email_taken()),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes an account's email and/or password without asking for the current
    /// password: for protocols that do not have one (RealWorld's `PUT /user`), where the
    /// bearer token is the proof. A new password signs out every session.
    pub async fn update_credentials(
        &self,
        id: Uuid,
        email: Option<Email>,
        password: Option<NewPassword>,
    ) -> Result<User, ApiError> {
        let password_hash = match &password {
            Some(password) => Some(self.inner.hasher.hash(password).await?),
            None => None,
        };
        let txn = begin_write(&self.inner.db).await?;
        let user = repo::lock_user(&txn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        let changing_password = password_hash.is_some();
        let changes = ProfileChanges {
            email: email.map(|e| e.as_str().to_owned()),
            password_hash,
            ..ProfileChanges::default()
        };
        let updated = match repo::update_user(&txn, user, changes).await {
            Ok(updated) => updated,
            Err(e) if is_unique_violation(&e) => return Err(email_taken()),
            Err(e) => return Err(e.into()),
        };
        if changing_password {
            repo::revoke_user_tokens(&txn, id, Utc::now()).await?;
        }
        txn.commit().await?;
        Ok(updated.into())
    }

    /// An access token with a custom lifetime, for protocols without refresh tokens.
    pub fn issue_access_token(&self, user: &User, ttl: Duration) -> Result<String, ApiError> {
        self.inner
            .tokens
            .issue_for(user.id, &user.role, ttl)
            .map_err(ApiError::internal)
    }

    /// The accounts with these ids (in no particular order); for batch lookups.
    pub async fn users(&self, ids: &[Uuid]) -> Result<Vec<User>, ApiError> {
        Ok(repo::find_users(&self.inner.db, ids)
            .await?
            .into_iter()
            .map(User::from)
            .collect())
    }
}
