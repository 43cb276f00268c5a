//! Every query on the auth tables. Handlers and the service never build queries themselves.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::email::Email;
use super::entities::{refresh_tokens, users};
use crate::pagination::Page;

/// The columns of a new account.
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a Email,
    /// Display name.
    pub name: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// A known role.
    pub role: &'a str,
}

/// Inserts an account; a duplicate email surfaces as a unique-violation [`DbErr`].
pub async fn insert_user(
    db: &impl ConnectionTrait,
    user: NewUser<'_>,
) -> Result<users::Model, DbErr> {
    let now = Utc::now();
    users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(user.email.as_str().to_owned()),
        name: Set(user.name),
        password_hash: Set(user.password_hash),
        role: Set(user.role.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// The account with this email.
pub async fn find_user_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

/// The accounts with these ids.
pub async fn find_users(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<users::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Inserts many accounts at once (seeding large test data sets), in one statement.
pub async fn insert_users_bulk(
    db: &impl ConnectionTrait,
    rows: Vec<users::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    users::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The account with this id.
pub async fn find_user(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).one(db).await
}

/// Changes to a profile; `None` leaves a column alone.
#[derive(Default)]
pub struct ProfileChanges {
    /// New normalised email.
    pub email: Option<String>,
    /// New display name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// New role.
    pub role: Option<String>,
}

/// Applies profile changes and returns the updated account.
pub async fn update_user(
    db: &impl ConnectionTrait,
    user: users::Model,
    changes: ProfileChanges,
) -> Result<users::Model, DbErr> {
    let mut active: users::ActiveModel = user.into();
    if let Some(email) = changes.email {
        active.email = Set(email);
    }
    if let Some(name) = changes.name {
        active.name = Set(name);
    }
    if let Some(hash) = changes.password_hash {
        active.password_hash = Set(hash);
    }
    if let Some(role) = changes.role {
        active.role = Set(role);
    }
    active.updated_at = Set(Utc::now());
    active.update(db).await
}

/// One page of accounts, oldest first, and the total count.
pub async fn list_users(
    db: &impl ConnectionTrait,
    page: Page,
) -> Result<(Vec<users::Model>, u64), DbErr> {
    let total = users::Entity::find().count(db).await?;
    let rows = users::Entity::find()
        .order_by_asc(users::Column::CreatedAt)
        .order_by_asc(users::Column::Id)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// The account with this id, locked until the transaction ends (`FOR UPDATE` on
/// PostgreSQL; on SQLite the write transaction already excludes other writers).
pub async fn lock_user(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// The ids of every admin, locked until the transaction ends.
pub async fn lock_admin_ids(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, DbErr> {
    users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Role.eq(super::role::ADMIN))
        .lock_exclusive()
        .into_tuple()
        .all(db)
        .await
}

/// Stores a new refresh token (by hash).
pub async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Marks a live token as used, atomically: of two concurrent rotations of the same token,
/// exactly one sees `true`.
pub async fn mark_refresh_token_used(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .filter(refresh_tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The stored token with this hash.
pub async fn find_refresh_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<refresh_tokens::Model>, DbErr> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Revokes every live token of a family.
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Revokes every live token of a user (after a password change).
pub async fn revoke_user_tokens(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes tokens that expired before `cutoff`; returns how many.
pub async fn purge_refresh_tokens(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::ExpiresAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
