//! Every query on `todo_items`. Each one that reads or changes an item takes the owner
//! and filters on it: ownership is enforced here, not in the handlers.

use chrono::{DateTime, Utc};
use groundwork_platform::db::contains_pattern;
use groundwork_platform::db::update_if_present;
use groundwork_platform::pagination::Page;
use sea_orm::sea_query::{Expr, ExprTrait, Func, NullOrdering, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::service::{ItemChanges, ItemFilter, NewItem, SortKey};
use crate::entities::items;

/// How many items the account holds.
pub async fn count_owned(db: &impl ConnectionTrait, owner: Uuid) -> Result<u64, DbErr> {
    items::Entity::find()
        .filter(items::Column::OwnerId.eq(owner))
        .count(db)
        .await
}

/// Inserts an item.
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: Uuid,
    item: NewItem,
    now: DateTime<Utc>,
) -> Result<items::Model, DbErr> {
    items::ActiveModel {
        owner_id: Set(owner),
        title: Set(item.title),
        description: Set(item.description),
        status: Set(item.status.as_str().to_owned()),
        priority: Set(item.priority.rank()),
        due_date: Set(item.due_date),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

fn lower(column: items::Column) -> SimpleExpr {
    Func::lower(Expr::col((items::Entity, column))).into()
}

fn filtered(owner: Uuid, filter: &ItemFilter) -> Select<items::Entity> {
    let mut select = items::Entity::find().filter(items::Column::OwnerId.eq(owner));
    if !filter.statuses.is_empty() {
        select =
            select.filter(items::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        select = select.filter(
            lower(items::Column::Title)
                .like(pattern.clone())
                .or(lower(items::Column::Description).like(pattern)),
        );
    }
    if let Some(before) = filter.due_before {
        select = select.filter(items::Column::DueDate.lte(before));
    }
    if let Some(after) = filter.due_after {
        select = select.filter(items::Column::DueDate.gte(after));
    }
    select
}

/// One page of the owner's items matching the filter, and how many match in all.
pub async fn page(
    db: &impl ConnectionTrait,
    owner: Uuid,
    filter: &ItemFilter,
    page: Page,
) -> Result<(Vec<items::Model>, u64), DbErr> {
    let total = filtered(owner, filter).count(db).await?;
    if total <= page.offset() {
        return Ok((Vec::new(), total));
    }
    let order = if filter.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut select = filtered(owner, filter);
    select = match filter.sort {
        SortKey::CreatedAt => select.order_by(items::Column::CreatedAt, order.clone()),
        // Undated items last whichever way the dates run.
        SortKey::Due => {
            select.order_by_with_nulls(items::Column::DueDate, order.clone(), NullOrdering::Last)
        }
        SortKey::Priority => select.order_by(items::Column::Priority, order.clone()),
    };
    let rows = select
        .order_by(items::Column::Id, order)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// The item, if the owner has it.
pub async fn find_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: i64,
) -> Result<Option<items::Model>, DbErr> {
    items::Entity::find_by_id(id)
        .filter(items::Column::OwnerId.eq(owner))
        .one(db)
        .await
}

/// Applies the changes to the owner's item; `None` if the owner has no such item.
pub async fn update_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: i64,
    changes: ItemChanges,
    now: DateTime<Utc>,
) -> Result<Option<items::Model>, DbErr> {
    let Some(row) = find_owned(db, owner, id).await? else {
        return Ok(None);
    };
    let mut active: items::ActiveModel = row.into();
    if let Some(title) = changes.title {
        active.title = Set(title);
    }
    if let Some(description) = changes.description {
        active.description = Set(description);
    }
    if let Some(status) = changes.status {
        active.status = Set(status.as_str().to_owned());
    }
    if let Some(priority) = changes.priority {
        active.priority = Set(priority.rank());
    }
    if let Some(due_date) = changes.due_date {
        active.due_date = Set(due_date);
    }
    active.updated_at = Set(now);
    update_if_present(db, active).await
}

/// Deletes the owner's item; whether there was one.
pub async fn delete_owned(db: &impl ConnectionTrait, owner: Uuid, id: i64) -> Result<bool, DbErr> {
    let result = items::Entity::delete_many()
        .filter(items::Column::Id.eq(id))
        .filter(items::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Whether an item with this id exists, whoever owns it.
pub async fn exists(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(items::Entity::find_by_id(id)
        .select_only()
        .column(items::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}
