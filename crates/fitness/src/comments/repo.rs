//! Queries on `fitness_comments`, always through a workout of the owner's.

use chrono::{SubsecRound, Utc};
use groundwork_platform::db::update_if_present;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{comments, workouts};

/// Whether the workout is the owner's.
pub async fn owns_workout(
    db: &impl ConnectionTrait,
    owner: Uuid,
    workout: i64,
) -> Result<bool, DbErr> {
    let found = workouts::Entity::find_by_id(workout)
        .filter(workouts::Column::OwnerId.eq(owner))
        .count(db)
        .await?;
    Ok(found > 0)
}

/// A comment on this workout.
pub async fn find(
    db: &impl ConnectionTrait,
    workout: i64,
    id: i64,
) -> Result<Option<comments::Model>, DbErr> {
    comments::Entity::find_by_id(id)
        .filter(comments::Column::WorkoutId.eq(workout))
        .one(db)
        .await
}

/// A workout's comments, oldest first.
pub async fn list(db: &impl ConnectionTrait, workout: i64) -> Result<Vec<comments::Model>, DbErr> {
    comments::Entity::find()
        .filter(comments::Column::WorkoutId.eq(workout))
        .order_by_asc(comments::Column::Id)
        .all(db)
        .await
}

/// How many comments a workout has.
pub async fn count(db: &impl ConnectionTrait, workout: i64) -> Result<u64, DbErr> {
    comments::Entity::find()
        .filter(comments::Column::WorkoutId.eq(workout))
        .count(db)
        .await
}

/// Adds a comment.
pub async fn insert(
    db: &impl ConnectionTrait,
    workout: i64,
    author: Uuid,
    body: String,
) -> Result<comments::Model, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    comments::ActiveModel {
        workout_id: Set(workout),
        author_id: Set(author),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Changes a comment's text; `None` if it was deleted meanwhile.
pub async fn update(
    db: &impl ConnectionTrait,
    row: comments::Model,
    body: String,
) -> Result<Option<comments::Model>, DbErr> {
    let mut active: comments::ActiveModel = row.into();
    active.body = Set(body);
    active.updated_at = Set(Utc::now().trunc_subsecs(6));
    update_if_present(db, active).await
}

/// Deletes a comment.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    comments::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}
