//! Article lists: one query for the page and at most one for the total, whatever the
//! filters. Ordering is stable: newest publication first, then highest id.
//!
//! The two most common lists never count rows: the total of all published articles is
//! the `blog_counters` row, and a tag's total is its `published_count` (both kept by
//! triggers). A tag's published articles are read in order from the index on
//! `blog_article_tags (tag_id, published_at, article_id)`, not sorted after the fact.

use groundwork_platform::db::contains_pattern;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::entities::{article_tags, articles, counters, favorites, follows, profiles, tags};
use crate::migrations::PUBLISHED_ARTICLES;
use crate::model::{ArticleFilter, Window};
use crate::repo::articles::{WithAuthor, with_author};

/// Articles that are this author's drafts (`drafts_of`) or are published, and match. With
/// a tag (`tag_id`, already resolved) the tag's links are joined in.
fn filtered(
    backend: DbBackend,
    filter: &ArticleFilter,
    drafts_of: Option<Uuid>,
    tag_id: Option<i64>,
) -> Select<articles::Entity> {
    let mut select = articles::Entity::find();
    select = match drafts_of {
        Some(author) => select
            .filter(articles::Column::AuthorId.eq(author))
            .filter(articles::Column::PublishedAt.is_null()),
        None => select.filter(articles::Column::PublishedAt.is_not_null()),
    };
    if let Some(tag_id) = tag_id {
        select = select
            .join_rev(
                JoinType::InnerJoin,
                article_tags::Entity::belongs_to(articles::Entity)
                    .from(article_tags::Column::ArticleId)
                    .to(articles::Column::Id)
                    .into(),
            )
            .filter(article_tags::Column::TagId.eq(tag_id));
        if drafts_of.is_none() {
            select = select.filter(article_tags::Column::PublishedAt.is_not_null());
        }
    }
    if let Some(author) = &filter.author {
        select = select.filter(articles::Column::AuthorId.in_subquery(user_with_username(author)));
    }
    if let Some(fan) = &filter.favorited_by {
        let favorited = Query::select()
            .column(favorites::Column::ArticleId)
            .from(favorites::Entity)
            .and_where(Expr::col(favorites::Column::UserId).in_subquery(user_with_username(fan)))
            .to_owned();
        select = select.filter(articles::Column::Id.in_subquery(favorited));
    }
    if let Some(follower) = filter.followed_by {
        let followed = Query::select()
            .column(follows::Column::FolloweeId)
            .from(follows::Entity)
            .and_where(Expr::col(follows::Column::FollowerId).eq(follower))
            .to_owned();
        select = select.filter(articles::Column::AuthorId.in_subquery(followed));
    }
    if let Some(category) = &filter.category {
        select = select.filter(lower(articles::Column::Category).eq(category.to_lowercase()));
    }
    if let Some(term) = &filter.term {
        let pattern = contains_pattern(term);
        select = select.filter(
            lower(articles::Column::Title)
                .like(pattern.clone())
                .or(lower(articles::Column::Body).like(pattern.clone()))
                .or(lower(articles::Column::Category).like(pattern)),
        );
    }
    if let Some(query) = &filter.query {
        select = select.filter(full_text(backend, query));
    }
    if let Some(from) = filter.from {
        select = select.filter(articles::Column::PublishedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(articles::Column::PublishedAt.lte(to));
    }
    select
}

fn lower(column: articles::Column) -> SimpleExpr {
    Func::lower(Expr::col((articles::Entity, column))).into()
}

/// `SELECT user_id FROM blog_profiles WHERE username_key = lower(name)`.
fn user_with_username(username: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(profiles::Column::UserId)
        .from(profiles::Entity)
        .and_where(Expr::col(profiles::Column::UsernameKey).eq(username.to_lowercase()))
        .to_owned()
}

/// The full-text condition. On PostgreSQL `websearch_to_tsquery` accepts any input; FTS5
/// has its own query language, so on SQLite the input is reduced to quoted words (all
/// must match), which cannot be a syntax error.
fn full_text(backend: DbBackend, query: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "blog_articles.search @@ websearch_to_tsquery('english', $1)",
            [query.to_owned()],
        ),
        _ => {
            let words: Vec<String> = query
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(16)
                .map(|w| format!("\"{w}\""))
                .collect();
            if words.is_empty() {
                return Expr::cust("1 = 0");
            }
            Expr::cust_with_values(
                "blog_articles.id IN (SELECT rowid FROM blog_articles_fts WHERE blog_articles_fts MATCH ?)",
                [words.join(" ")],
            )
        }
    }
}

/// One page of matching articles, each with its author's profile, and the total number of
/// matches.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ArticleFilter,
    drafts_of: Option<Uuid>,
    window: Window,
) -> Result<(Vec<WithAuthor>, u64), DbErr> {
    let backend = db.get_database_backend();
    let tag = match &filter.tag {
        Some(name) => match find_tag(db, name).await? {
            Some(tag) => Some(tag),
            // A tag nobody ever used matches nothing.
            None => return Ok((Vec::new(), 0)),
        },
        None => None,
    };
    let tag_id = tag.as_ref().map(|t| t.id);
    let published = drafts_of.is_none();
    let total = match &tag {
        _ if !published || filter.narrows_beyond_tag() => None,
        Some(tag) => Some(tag.published_count),
        None => Some(published_articles(db).await?),
    };
    let total = match total {
        Some(stored) => u64::try_from(stored).unwrap_or(0),
        None => {
            filtered(backend, filter, drafts_of, tag_id)
                .count(db)
                .await?
        }
    };
    let select = filtered(backend, filter, drafts_of, tag_id);
    // Same order either way: a link's `published_at` and `article_id` equal the article's.
    let select = if published && tag_id.is_some() {
        select
            .order_by_desc(article_tags::Column::PublishedAt)
            .order_by_desc(article_tags::Column::ArticleId)
    } else {
        select
            .order_by_desc(articles::Column::PublishedAt)
            .order_by_desc(articles::Column::Id)
    };
    let rows = with_author(select)
        .offset(window.offset)
        .limit(window.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

async fn find_tag(db: &impl ConnectionTrait, name: &str) -> Result<Option<tags::Model>, DbErr> {
    tags::Entity::find()
        .filter(tags::Column::Name.eq(name))
        .one(db)
        .await
}

/// The number of published articles, from the trigger-kept counter.
async fn published_articles(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = counters::Entity::find_by_id(PUBLISHED_ARTICLES.to_owned())
        .one(db)
        .await?;
    Ok(row.map_or(0, |r| r.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_are_reduced_to_quoted_words() {
        let expr = full_text(DbBackend::Sqlite, "rust\" OR (async* -x");
        let sql = sea_orm::sea_query::Query::select()
            .expr(expr)
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert!(sql.contains(r#"'"rust" "OR" "async" "x"'"#), "{sql}");
    }
}
