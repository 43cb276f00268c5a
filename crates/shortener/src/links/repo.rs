//! Queries on links.

use std::collections::HashMap;

use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::db::{is_unique_violation, update_if_present};
use groundwork_platform::pagination::Page;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::request::{LinkChanges, NewLink};
use crate::code;
use crate::entities::{clicks_hourly, links};

/// Attempts at a free random code before giving up. With 62^7 codes a single collision is
/// already improbable; several in a row mean the code space is nearly full.
const CODE_ATTEMPTS: usize = 5;

/// The link with this code.
pub async fn find_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<links::Model>, DbErr> {
    links::Entity::find()
        .filter(links::Column::Code.eq(code))
        .one(db)
        .await
}

/// Stores a new link under its alias or a fresh random code. The unique index decides
/// collisions, so concurrent creations can never share a code.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewLink,
    owner: Option<Uuid>,
    code_length: usize,
) -> Result<links::Model, ApiError> {
    for _ in 0..CODE_ATTEMPTS {
        let code = match &new.alias {
            Some(alias) => alias.clone(),
            None => fresh_code(code_length)?,
        };
        let now = Utc::now();
        let row = links::ActiveModel {
            id: NotSet,
            code: Set(code),
            url: Set(new.url.clone()),
            owner_id: Set(owner),
            redirect_status: Set(new.status),
            expires_at: Set(new.expires_at),
            max_clicks: Set(new.max_clicks),
            enabled: Set(new.enabled),
            created_at: Set(now),
            updated_at: Set(now),
        };
        match row.insert(db).await {
            Ok(row) => return Ok(row),
            Err(error) if is_unique_violation(&error) => {
                if new.alias.is_some() {
                    return Err(ApiError::conflict(
                        "alias_taken",
                        "this alias is already in use; choose another",
                    ));
                }
                tracing::info!("random short code collided; drawing another");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::unavailable(
        "no free short code was found; try again",
        1,
    ))
}

fn fresh_code(length: usize) -> Result<String, ApiError> {
    loop {
        let code = code::generate(length).map_err(|e| ApiError::internal(e.to_string()))?;
        if !code::is_reserved(&code) {
            return Ok(code);
        }
    }
}

/// Applies `changes`; `None` if the link was deleted meanwhile.
pub async fn update(
    db: &impl ConnectionTrait,
    row: links::Model,
    changes: LinkChanges,
) -> Result<Option<links::Model>, DbErr> {
    let mut active: links::ActiveModel = row.into();
    if let Some(url) = changes.url {
        active.url = Set(url);
    }
    if let Some(status) = changes.status {
        active.redirect_status = Set(status);
    }
    if let Some(expires_at) = changes.expires_at {
        active.expires_at = Set(expires_at);
    }
    if let Some(max_clicks) = changes.max_clicks {
        active.max_clicks = Set(max_clicks);
    }
    if let Some(enabled) = changes.enabled {
        active.enabled = Set(enabled);
    }
    active.updated_at = Set(Utc::now());
    update_if_present(db, active).await
}

/// Deletes a link (its click aggregates go with it); whether it existed.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let result = links::Entity::delete_by_id(id).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// All clicks ever written for a link.
pub async fn access_count(db: &impl ConnectionTrait, id: i64) -> Result<i64, DbErr> {
    Ok(access_counts(db, &[id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0))
}

/// Written clicks of several links (links without clicks are absent).
pub async fn access_counts(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, Option<i64>)> = clicks_hourly::Entity::find()
        .select_only()
        .column(clicks_hourly::Column::LinkId)
        // SUM of a bigint is numeric on PostgreSQL: cast back so both backends give i64.
        .column_as(
            Expr::cust(r#"CAST(SUM("clicks") AS BIGINT)"#),
            "total",
        )
        .filter(clicks_hourly::Column::LinkId.is_in(ids.iter().copied()))
        .group_by(clicks_hourly::Column::LinkId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, total)| (id, total.unwrap_or(0)))
        .collect())
}

/// One page of an account's links, newest first, and how many it has.
pub async fn list_by_owner(
    db: &impl ConnectionTrait,
    owner: Uuid,
    page: Page,
) -> Result<(Vec<links::Model>, u64), DbErr> {
    let query = links::Entity::find().filter(links::Column::OwnerId.eq(owner));
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(links::Column::Id)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
