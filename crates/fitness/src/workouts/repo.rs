//! Queries on workouts and what hangs off them. Every one takes the owner.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::response::{
    SetResponse, WorkoutExerciseResponse, WorkoutResponse, WorkoutSummary, local_time,
};
use super::{NewSet, NewWorkout, Status};
use crate::entities::{exercises, sets, workout_exercises, workouts};

/// Of these exercise ids, those the owner may use (the catalogue's and their own).
pub async fn usable_exercises(
    db: &impl ConnectionTrait,
    owner: Uuid,
    ids: &[i64],
) -> Result<HashSet<i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<i64> = exercises::Entity::find()
        .select_only()
        .column(exercises::Column::Id)
        .filter(exercises::Column::Id.is_in(ids.iter().copied()))
        .filter(
            Condition::any()
                .add(exercises::Column::OwnerId.is_null())
                .add(exercises::Column::OwnerId.eq(owner)),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

fn set_row(workout_exercise_id: i64, position: usize, set: &NewSet) -> sets::ActiveModel {
    let unit =
        |w: Option<(i64, crate::quantity::WeightUnit)>| w.map(|(_, u)| u.as_str().to_owned());
    sets::ActiveModel {
        workout_exercise_id: Set(workout_exercise_id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        reps: Set(set.reps),
        weight_milli: Set(set.weight.map(|(m, _)| m)),
        weight_unit: Set(unit(set.weight)),
        duration_secs: Set(set.duration_secs),
        distance_mm: Set(set.distance_mm),
        actual_reps: Set(set.actual_reps),
        actual_weight_milli: Set(set.actual_weight.map(|(m, _)| m)),
        actual_weight_unit: Set(unit(set.actual_weight)),
        actual_duration_secs: Set(set.actual_duration_secs),
        actual_distance_mm: Set(set.actual_distance_mm),
        ..Default::default()
    }
}

async fn insert_exercises(
    db: &impl ConnectionTrait,
    workout_id: i64,
    workout: &NewWorkout,
) -> Result<(), DbErr> {
    let mut set_rows = Vec::new();
    for (position, entry) in workout.exercises.iter().enumerate() {
        let row = workout_exercises::ActiveModel {
            workout_id: Set(workout_id),
            exercise_id: Set(entry.exercise_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            notes: Set(entry.notes.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        set_rows.extend(
            entry
                .sets
                .iter()
                .enumerate()
                .map(|(i, set)| set_row(row.id, i, set)),
        );
    }
    groundwork_platform::db::bulk::insert_all(db, set_rows).await
}

/// Inserts a workout and its exercises and sets; returns its id.
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: Uuid,
    workout: &NewWorkout,
    schedule_id: Option<i64>,
) -> Result<i64, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let row = workouts::ActiveModel {
        owner_id: Set(owner),
        name: Set(workout.name.clone()),
        scheduled_at: Set(workout.scheduled_at),
        time_zone: Set(workout.zone.name().to_owned()),
        status: Set(workout.status.as_str().to_owned()),
        notes: Set(workout.notes.clone()),
        schedule_id: Set(schedule_id),
        local_date: Set(Some(workout.local_date())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    insert_exercises(db, row.id, workout).await?;
    Ok(row.id)
}

/// Replaces the owner's workout; whether there was one.
pub async fn replace(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: i64,
    workout: &NewWorkout,
) -> Result<bool, DbErr> {
    let updated = workouts::Entity::update_many()
        .col_expr(workouts::Column::Name, Expr::value(workout.name.clone()))
        .col_expr(
            workouts::Column::ScheduledAt,
            Expr::value(workout.scheduled_at),
        )
        .col_expr(workouts::Column::TimeZone, Expr::value(workout.zone.name()))
        .col_expr(
            workouts::Column::LocalDate,
            Expr::value(workout.local_date()),
        )
        .col_expr(
            workouts::Column::Status,
            Expr::value(workout.status.as_str()),
        )
        .col_expr(workouts::Column::Notes, Expr::value(workout.notes.clone()))
        .col_expr(
            workouts::Column::UpdatedAt,
            Expr::value(Utc::now().trunc_subsecs(6)),
        )
        .filter(workouts::Column::Id.eq(id))
        .filter(workouts::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    // The sets go with their exercises (ON DELETE CASCADE).
    workout_exercises::Entity::delete_many()
        .filter(workout_exercises::Column::WorkoutId.eq(id))
        .exec(db)
        .await?;
    insert_exercises(db, id, workout).await?;
    Ok(true)
}

/// Deletes the owner's workout; whether there was one.
pub async fn delete(db: &impl ConnectionTrait, owner: Uuid, id: i64) -> Result<bool, DbErr> {
    let result = workouts::Entity::delete_many()
        .filter(workouts::Column::Id.eq(id))
        .filter(workouts::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The owner's workout with its exercises (and their names) and sets: four queries.
pub async fn load(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: i64,
) -> Result<Option<WorkoutResponse>, DbErr> {
    let Some(workout) = workouts::Entity::find_by_id(id)
        .filter(workouts::Column::OwnerId.eq(owner))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let entries = workout_exercises::Entity::find()
        .filter(workout_exercises::Column::WorkoutId.eq(id))
        .order_by_asc(workout_exercises::Column::Position)
        .all(db)
        .await?;
    let exercise_ids: HashSet<i64> = entries.iter().map(|entry| entry.exercise_id).collect();
    let names: HashMap<i64, exercises::Model> = if exercise_ids.is_empty() {
        HashMap::new()
    } else {
        exercises::Entity::find()
            .filter(exercises::Column::Id.is_in(exercise_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect()
    };
    let entry_ids: Vec<i64> = entries.iter().map(|entry| entry.id).collect();
    let set_rows = if entry_ids.is_empty() {
        Vec::new()
    } else {
        sets::Entity::find()
            .filter(sets::Column::WorkoutExerciseId.is_in(entry_ids))
            .order_by_asc(sets::Column::Position)
            .all(db)
            .await?
    };
    let mut sets_by_entry: HashMap<i64, Vec<SetResponse>> = HashMap::new();
    for row in &set_rows {
        sets_by_entry
            .entry(row.workout_exercise_id)
            .or_default()
            .push(row.into());
    }
    let exercises = entries
        .into_iter()
        .map(|entry| WorkoutExerciseResponse {
            exercise_id: entry.exercise_id,
            name: names
                .get(&entry.exercise_id)
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            muscle_group: names
                .get(&entry.exercise_id)
                .map(|e| e.muscle_group.clone())
                .unwrap_or_default(),
            notes: entry.notes,
            sets: sets_by_entry.remove(&entry.id).unwrap_or_default(),
        })
        .collect();
    Ok(Some(WorkoutResponse {
        id: workout.id,
        name: workout.name,
        local_time: local_time(workout.scheduled_at, &workout.time_zone),
        scheduled_at: workout.scheduled_at,
        time_zone: workout.time_zone,
        status: workout.status,
        notes: workout.notes,
        schedule_id: workout.schedule_id,
        exercises,
        created_at: workout.created_at,
        updated_at: workout.updated_at,
    }))
}

/// A list filter.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Only these statuses (any when empty).
    pub statuses: Vec<Status>,
    /// Scheduled at or after.
    pub from: Option<DateTime<Utc>>,
    /// Scheduled strictly before.
    pub before: Option<DateTime<Utc>>,
    /// Only workouts that include this exercise.
    pub exercise_id: Option<i64>,
}

fn filtered(owner: Uuid, filter: &ListFilter) -> Select<workouts::Entity> {
    let mut select = workouts::Entity::find().filter(workouts::Column::OwnerId.eq(owner));
    if !filter.statuses.is_empty() {
        select = select
            .filter(workouts::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(from) = filter.from {
        select = select.filter(workouts::Column::ScheduledAt.gte(from));
    }
    if let Some(before) = filter.before {
        select = select.filter(workouts::Column::ScheduledAt.lt(before));
    }
    if let Some(exercise) = filter.exercise_id {
        let with_exercise = Query::select()
            .column(workout_exercises::Column::WorkoutId)
            .from(workout_exercises::Entity)
            .and_where(Expr::col(workout_exercises::Column::ExerciseId).eq(exercise))
            .to_owned();
        select = select.filter(workouts::Column::Id.in_subquery(with_exercise));
    }
    select
}

/// One page of the owner's workouts by scheduled time, and how many match.
pub async fn page(
    db: &impl ConnectionTrait,
    owner: Uuid,
    filter: &ListFilter,
    newest_first: bool,
    page: groundwork_platform::pagination::Page,
) -> Result<(Vec<WorkoutSummary>, u64), DbErr> {
    let total = filtered(owner, filter).count(db).await?;
    if total <= page.offset() {
        return Ok((Vec::new(), total));
    }
    let order = if newest_first {
        Order::Desc
    } else {
        Order::Asc
    };
    let rows = filtered(owner, filter)
        .order_by(workouts::Column::ScheduledAt, order.clone())
        .order_by(workouts::Column::Id, order)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(Into::into).collect(), total))
}
