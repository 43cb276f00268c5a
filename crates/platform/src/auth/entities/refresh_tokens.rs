//! `auth_refresh_tokens`: one row per issued refresh token. Tokens issued by rotating one
//! another share a `family_id`; presenting a token that was already rotated revokes the
//! whole family (the token was stolen, or the client is confused; either way, sign in again).

use sea_orm::entity::prelude::*;

/// A stored refresh token.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_refresh_tokens")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owner.
    pub user_id: Uuid,
    /// The login session this token belongs to.
    pub family_id: Uuid,
    /// SHA-256 of the token, hex; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Issue time (UTC).
    pub created_at: DateTimeUtc,
    /// After this the token is refused.
    pub expires_at: DateTimeUtc,
    /// Set when the token was exchanged for a new one.
    pub used_at: Option<DateTimeUtc>,
    /// Set when the family was revoked (logout, reuse, password change).
    pub revoked_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
