//! Queries on `fitness_exercises`. Visibility (the catalogue plus the viewer's own) is
//! part of every read.

use chrono::{SubsecRound, Utc};
use groundwork_platform::db::{contains_pattern, update_if_present};
use groundwork_platform::pagination::Page;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::{ExerciseFields, ExerciseFilter};
use crate::entities::exercises;

/// The catalogue, plus the viewer's own exercises.
fn visible(viewer: Option<Uuid>) -> Condition {
    let catalogue = Condition::all().add(exercises::Column::OwnerId.is_null());
    match viewer {
        Some(viewer) => Condition::any()
            .add(catalogue)
            .add(exercises::Column::OwnerId.eq(viewer)),
        None => catalogue,
    }
}

fn filtered(viewer: Option<Uuid>, filter: &ExerciseFilter) -> Select<exercises::Entity> {
    let mut select = exercises::Entity::find().filter(visible(viewer));
    match filter.custom {
        Some(true) => select = select.filter(exercises::Column::OwnerId.is_not_null()),
        Some(false) => select = select.filter(exercises::Column::OwnerId.is_null()),
        None => {}
    }
    if let Some(text) = &filter.text {
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(exercises::Column::Name)))
                .like(contains_pattern(text)),
        );
    }
    if let Some(category) = filter.category {
        select = select.filter(exercises::Column::Category.eq(category));
    }
    if let Some(muscle_group) = filter.muscle_group {
        select = select.filter(exercises::Column::MuscleGroup.eq(muscle_group));
    }
    select
}

/// One page by name, and the number matching.
pub async fn page(
    db: &impl ConnectionTrait,
    viewer: Option<Uuid>,
    filter: &ExerciseFilter,
    page: Page,
) -> Result<(Vec<exercises::Model>, u64), DbErr> {
    let total = filtered(viewer, filter).count(db).await?;
    if total <= page.offset() {
        return Ok((Vec::new(), total));
    }
    let rows = filtered(viewer, filter)
        .order_by_asc(exercises::Column::NameKey)
        .order_by_asc(exercises::Column::Id)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// An exercise the viewer can see.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Option<Uuid>,
    id: i64,
) -> Result<Option<exercises::Model>, DbErr> {
    exercises::Entity::find_by_id(id)
        .filter(visible(viewer))
        .one(db)
        .await
}

/// Inserts an exercise (`owner` `None`: into the catalogue).
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: Option<Uuid>,
    fields: ExerciseFields,
) -> Result<exercises::Model, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    exercises::ActiveModel {
        owner_id: Set(owner),
        name_key: Set(fields.name.to_lowercase()),
        name: Set(fields.name),
        description: Set(fields.description),
        category: Set(fields.category.to_owned()),
        muscle_group: Set(fields.muscle_group.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Replaces an exercise's fields; `None` if it was deleted meanwhile.
pub async fn update(
    db: &impl ConnectionTrait,
    row: exercises::Model,
    fields: ExerciseFields,
) -> Result<Option<exercises::Model>, DbErr> {
    let mut active: exercises::ActiveModel = row.into();
    active.name_key = Set(fields.name.to_lowercase());
    active.name = Set(fields.name);
    active.description = Set(fields.description);
    active.category = Set(fields.category.to_owned());
    active.muscle_group = Set(fields.muscle_group.to_owned());
    active.updated_at = Set(Utc::now().trunc_subsecs(6));
    update_if_present(db, active).await
}

/// Deletes an exercise.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    exercises::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}
