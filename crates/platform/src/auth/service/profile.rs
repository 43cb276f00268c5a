//! Changes account holders make to their own account.

use chrono::Utc;
use uuid::Uuid;

use super::{AuthService, User};
use crate::auth::email::Email;
use crate::auth::password::NewPassword;
use crate::auth::repo::{self, ProfileChanges};
use crate::db::begin_write;
use crate::error::ApiError;

/// Profile changes asked for by the account holder.
#[derive(Default)]
pub struct ProfileUpdate {
    /// New display name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// `(current, new)` password.
    pub password: Option<(String, NewPassword)>,
}

impl AuthService {
    /// Applies the account holder's changes. A password change needs the current password
    /// (wrong guesses count like failed logins) and signs out every session (refresh
    /// tokens); access tokens expire on their own.
    pub async fn update_profile(&self, id: Uuid, update: ProfileUpdate) -> Result<User, ApiError> {
        let user = self.user_row(id).await?;
        let mut changes = ProfileChanges {
            name: update.name,
            ..ProfileChanges::default()
        };
        let changing_password = update.password.is_some();
        if let Some((current, new)) = update.password {
            // The email was validated when it was stored; parsing it again cannot fail.
            let account = Email::parse(&user.email).map_err(|e| ApiError::internal(e.message))?;
            let attempt = self.begin_attempt(&account, None).await?;
            if !self
                .inner
                .hasher
                .verify(&current, &user.password_hash)
                .await?
            {
                return Err(ApiError::invalid_field(
                    "currentPassword",
                    "incorrect",
                    "the current password is incorrect",
                ));
            }
            self.forgive(attempt).await;
            changes.password_hash = Some(self.inner.hasher.hash(&new).await?);
        }
        // Hashing ran outside the transaction (it takes milliseconds); the lock makes sure
        // the password did not change meanwhile, and serialises with refreshes.
        let txn = begin_write(&self.inner.db).await?;
        let locked = repo::lock_user(&txn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if changing_password && locked.password_hash != user.password_hash {
            return Err(ApiError::conflict(
                "concurrent_change",
                "the password was changed meanwhile; try again",
            ));
        }
        let updated = repo::update_user(&txn, locked, changes).await?;
        if changing_password {
            repo::revoke_user_tokens(&txn, id, Utc::now()).await?;
        }
        txn.commit().await?;
        Ok(updated.into())
    }
}
