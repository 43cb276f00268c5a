//! Profiles.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::profiles;

/// The profile of an account.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<profiles::Model>, DbErr> {
    profiles::Entity::find_by_id(user_id).one(db).await
}

/// The profile with this username (any case).
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<profiles::Model>, DbErr> {
    profiles::Entity::find()
        .filter(profiles::Column::UsernameKey.eq(username.to_lowercase()))
        .one(db)
        .await
}

/// The profiles of these accounts.
pub async fn find_many(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> Result<Vec<profiles::Model>, DbErr> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    profiles::Entity::find()
        .filter(profiles::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await
}

/// Creates a profile; a taken username is a unique violation.
pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    username: &str,
    bio: Option<String>,
    image: Option<String>,
) -> Result<profiles::Model, DbErr> {
    let now = Utc::now();
    profiles::ActiveModel {
        user_id: Set(user_id),
        username: Set(username.to_owned()),
        username_key: Set(username.to_lowercase()),
        bio: Set(bio),
        image: Set(image),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// Changes to a profile; `None` leaves a field alone.
#[derive(Default)]
pub struct Changes {
    /// New username.
    pub username: Option<String>,
    /// New bio (`Some(None)` clears it).
    pub bio: Option<Option<String>>,
    /// New image (`Some(None)` clears it).
    pub image: Option<Option<String>>,
}

/// Applies changes; a taken username is a unique violation.
pub async fn update(
    db: &impl ConnectionTrait,
    row: profiles::Model,
    changes: Changes,
) -> Result<profiles::Model, DbErr> {
    let mut active: profiles::ActiveModel = row.into();
    if let Some(username) = changes.username {
        active.username_key = Set(username.to_lowercase());
        active.username = Set(username);
    }
    if let Some(bio) = changes.bio {
        active.bio = Set(bio);
    }
    if let Some(image) = changes.image {
        active.image = Set(image);
    }
    active.updated_at = Set(Utc::now());
    active.update(db).await
}

/// Inserts many profiles in one statement (seeding).
pub async fn insert_bulk(
    db: &impl ConnectionTrait,
    rows: Vec<profiles::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    profiles::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}
