//! Tags and their links to articles.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{article_tags, articles, tags};

/// Replaces an article's tags (creating tag rows that do not exist yet).
pub async fn set_for_article(
    db: &impl ConnectionTrait,
    article: &articles::Model,
    names: &[String],
) -> Result<(), DbErr> {
    article_tags::Entity::delete_many()
        .filter(article_tags::Column::ArticleId.eq(article.id))
        .exec(db)
        .await?;
    if names.is_empty() {
        return Ok(());
    }
    let new_tags = names.iter().map(|name| tags::ActiveModel {
        name: Set(name.clone()),
        ..Default::default()
    });
    tags::Entity::insert_many(new_tags)
        .on_conflict_do_nothing_on([tags::Column::Name])
        .exec_without_returning(db)
        .await?;
    let ids: Vec<i64> = tags::Entity::find()
        .select_only()
        .column(tags::Column::Id)
        .filter(tags::Column::Name.is_in(names.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    let links = ids.into_iter().map(|tag_id| article_tags::ActiveModel {
        article_id: Set(article.id),
        tag_id: Set(tag_id),
        published_at: Set(article.published_at),
    });
    article_tags::Entity::insert_many(links)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The tags of each article, sorted by name.
pub async fn for_articles(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<(i64, String)> = article_tags::Entity::find()
        .select_only()
        .column(article_tags::Column::ArticleId)
        .column_as(Expr::col((tags::Entity, tags::Column::Name)), "name")
        .join(
            sea_orm::JoinType::InnerJoin,
            article_tags::Entity::belongs_to(tags::Entity)
                .from(article_tags::Column::TagId)
                .to(tags::Column::Id)
                .into(),
        )
        .filter(article_tags::Column::ArticleId.is_in(ids.iter().copied()))
        .order_by_asc(Expr::col((tags::Entity, tags::Column::Name)))
        .into_tuple()
        .all(db)
        .await?;
    for (article, name) in rows {
        map.entry(article).or_default().push(name);
    }
    Ok(map)
}

/// Every tag used by at least one published article, most used first (then by name), at
/// most `limit`: read in order from the index on the trigger-kept counts.
pub async fn popular(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<String>, DbErr> {
    tags::Entity::find()
        .select_only()
        .column(tags::Column::Name)
        .filter(tags::Column::PublishedCount.gt(0))
        .order_by_desc(tags::Column::PublishedCount)
        .order_by_asc(tags::Column::Name)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}
