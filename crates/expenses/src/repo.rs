//! Every query on the expense tables. Each one takes the owner and filters on it:
//! ownership is enforced here, not in the handlers.

use chrono::{DateTime, Utc};
use groundwork_platform::db::update_if_present;
use groundwork_platform::pagination::Page;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::entities::{items, preferences};
use crate::model::{ExpenseFields, ExpenseFilter};

/// An account's stored preferences, if it set any.
pub async fn find_preferences(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<preferences::Model>, DbErr> {
    preferences::Entity::find_by_id(user).one(db).await
}

/// Stores an account's preferences (insert or replace).
pub async fn save_preferences(
    db: &impl ConnectionTrait,
    user: Uuid,
    time_zone: &str,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = preferences::ActiveModel {
        user_id: Set(user),
        time_zone: Set(time_zone.to_owned()),
        currency: Set(currency.to_owned()),
        updated_at: Set(now),
    };
    preferences::Entity::insert(row)
        .on_conflict(
            OnConflict::column(preferences::Column::UserId)
                .update_columns([
                    preferences::Column::TimeZone,
                    preferences::Column::Currency,
                    preferences::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// How many expenses the account holds.
pub async fn count_owned(db: &impl ConnectionTrait, owner: Uuid) -> Result<u64, DbErr> {
    items::Entity::find()
        .filter(items::Column::OwnerId.eq(owner))
        .count(db)
        .await
}

/// Inserts an expense.
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: Uuid,
    fields: ExpenseFields,
    now: DateTime<Utc>,
) -> Result<items::Model, DbErr> {
    items::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        amount_minor: Set(fields.amount_minor),
        currency: Set(fields.currency.code().to_owned()),
        category: Set(fields.category.to_owned()),
        description: Set(fields.description),
        spent_on: Set(fields.spent_on),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

fn filtered(owner: Uuid, filter: &ExpenseFilter) -> Select<items::Entity> {
    let mut select = items::Entity::find().filter(items::Column::OwnerId.eq(owner));
    if let Some(from) = filter.from {
        select = select.filter(items::Column::SpentOn.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(items::Column::SpentOn.lte(to));
    }
    if !filter.categories.is_empty() {
        select = select.filter(items::Column::Category.is_in(filter.categories.iter().copied()));
    }
    if let Some(currency) = filter.currency {
        select = select.filter(items::Column::Currency.eq(currency.code()));
    }
    select
}

/// One page, newest day first, and the number matching.
pub async fn page(
    db: &impl ConnectionTrait,
    owner: Uuid,
    filter: &ExpenseFilter,
    page: Page,
) -> Result<(Vec<items::Model>, u64), DbErr> {
    let total = filtered(owner, filter).count(db).await?;
    if total <= page.offset() {
        return Ok((Vec::new(), total));
    }
    let rows = filtered(owner, filter)
        .order_by(items::Column::SpentOn, Order::Desc)
        .order_by(items::Column::Id, Order::Desc)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// One summary row: a currency, category and month with its sum and count.
pub type SummaryRow = (String, String, String, i64, i64);

/// Sums by currency, category and month (`YYYY-MM`), in one grouped query.
pub async fn summary(
    db: &impl ConnectionTrait,
    owner: Uuid,
    filter: &ExpenseFilter,
) -> Result<Vec<SummaryRow>, DbErr> {
    // Dates are `YYYY-MM-DD` text on SQLite and `date` on PostgreSQL.
    let month = match db.get_database_backend() {
        DbBackend::Postgres => "to_char(spent_on, 'YYYY-MM')",
        _ => "substr(spent_on, 1, 7)",
    };
    filtered(owner, filter)
        .select_only()
        .column(items::Column::Currency)
        .column(items::Column::Category)
        .column_as(Expr::cust(month), "month")
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count")
        .group_by(items::Column::Currency)
        .group_by(items::Column::Category)
        .group_by(Expr::cust(month))
        .into_tuple::<SummaryRow>()
        .all(db)
        .await
}

/// The owner's expense.
pub async fn find_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<items::Model>, DbErr> {
    items::Entity::find_by_id(id)
        .filter(items::Column::OwnerId.eq(owner))
        .one(db)
        .await
}

/// Replaces the owner's expense; `None` if the owner has no such expense.
pub async fn replace_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
    fields: ExpenseFields,
    now: DateTime<Utc>,
) -> Result<Option<items::Model>, DbErr> {
    let Some(row) = find_owned(db, owner, id).await? else {
        return Ok(None);
    };
    let mut active: items::ActiveModel = row.into();
    active.amount_minor = Set(fields.amount_minor);
    active.currency = Set(fields.currency.code().to_owned());
    active.category = Set(fields.category.to_owned());
    active.description = Set(fields.description);
    active.spent_on = Set(fields.spent_on);
    active.updated_at = Set(now);
    update_if_present(db, active).await
}

/// Deletes the owner's expense; whether there was one.
pub async fn delete_owned(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<bool, DbErr> {
    let result = items::Entity::delete_many()
        .filter(items::Column::Id.eq(id))
        .filter(items::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
