//! Queries on `notes_notes`, always scoped to the owner.

use groundwork_platform::pagination::Page;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::search;
use crate::entities::notes;

/// How many notes `owner` has.
pub async fn count(db: &impl ConnectionTrait, owner: Uuid) -> Result<u64, DbErr> {
    notes::Entity::find()
        .filter(notes::Column::OwnerId.eq(owner))
        .count(db)
        .await
}

/// `owner`'s note `id`, if it is theirs.
pub async fn find(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<notes::Model>, DbErr> {
    notes::Entity::find_by_id(id)
        .filter(notes::Column::OwnerId.eq(owner))
        .one(db)
        .await
}

/// One page of `owner`'s notes, newest change first, or best match first when `words`
/// is not empty; and how many there are in all.
pub async fn list(
    db: &DatabaseConnection,
    owner: Uuid,
    words: Option<&[String]>,
    page: Page,
) -> Result<(Vec<notes::Model>, u64), DbErr> {
    let Some(words) = words else {
        let query = notes::Entity::find().filter(notes::Column::OwnerId.eq(owner));
        let total = query.clone().count(db).await?;
        let rows = query
            .order_by_desc(notes::Column::UpdatedAt)
            .order_by_desc(notes::Column::Id)
            .limit(page.limit)
            .offset(page.offset())
            .all(db)
            .await?;
        return Ok((rows, total));
    };
    if words.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let (rows, count) = search::search_statements(
        db.get_database_backend(),
        owner,
        words,
        page.limit,
        page.offset(),
    );
    let rows = notes::Model::find_by_statement(rows).all(db).await?;
    let total = match db.query_one_raw(count).await? {
        Some(row) => u64::try_from(row.try_get::<i64>("", "total")?).unwrap_or(0),
        None => 0,
    };
    Ok((rows, total))
}
