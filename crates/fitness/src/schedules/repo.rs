//! Queries on `fitness_schedules` and the workouts they generated.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::entities::{schedules, workouts};
use crate::workouts::NewWorkout;

/// Stores a schedule and one workout per occurrence (call inside a transaction); returns
/// the schedule's id.
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: Uuid,
    rule: String,
    template: &mut NewWorkout,
    occurrences: &[DateTime<Utc>],
) -> Result<i64, DbErr> {
    let schedule = schedules::ActiveModel {
        owner_id: Set(owner),
        rule: Set(rule),
        created_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for instant in occurrences {
        template.scheduled_at = *instant;
        crate::workouts::repo::insert(db, owner, template, Some(schedule.id)).await?;
    }
    Ok(schedule.id)
}

/// The workouts a schedule generated (that still exist).
pub async fn workouts_of(
    db: &impl ConnectionTrait,
    owner: Uuid,
    schedule: i64,
) -> Result<Vec<workouts::Model>, DbErr> {
    workouts::Entity::find()
        .filter(workouts::Column::ScheduleId.eq(schedule))
        .filter(workouts::Column::OwnerId.eq(owner))
        .all(db)
        .await
}

/// Deletes the owner's schedule and its pending workouts (call inside a transaction);
/// whether there was one. Completed and skipped workouts stay, unlinked.
pub async fn delete(db: &impl ConnectionTrait, owner: Uuid, id: i64) -> Result<bool, DbErr> {
    let found = schedules::Entity::find_by_id(id)
        .filter(schedules::Column::OwnerId.eq(owner))
        .one(db)
        .await?;
    let Some(found) = found else {
        return Ok(false);
    };
    workouts::Entity::delete_many()
        .filter(workouts::Column::ScheduleId.eq(found.id))
        .filter(workouts::Column::Status.eq("pending"))
        .exec(db)
        .await?;
    schedules::Entity::delete_by_id(found.id).exec(db).await?;
    Ok(true)
}
