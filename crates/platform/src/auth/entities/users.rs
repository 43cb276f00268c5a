//! `auth_users`: one row per account.

use sea_orm::entity::prelude::*;

/// A stored account.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_users")]
pub struct Model {
    /// UUID v7: time-ordered, so inserts stay append-only in the index.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Normalised (trimmed, lowercased) email; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// Display name, if the user gave one.
    pub name: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// One of the deployment's known roles.
    pub role: String,
    /// When the account was created (UTC).
    pub created_at: DateTimeUtc,
    /// When the account last changed (UTC).
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
