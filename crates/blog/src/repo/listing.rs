//! Article lists: one filtered query for the page and one for the total, whatever the
//! filters. Ordering is stable: newest publication first, then highest id.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::entities::{article_tags, articles, favorites, follows, profiles, tags};
use crate::model::{ArticleFilter, Window};

/// Articles that have this author's drafts (`drafts_of`) or are published, and match.
fn filtered(
    backend: DbBackend,
    filter: &ArticleFilter,
    drafts_of: Option<Uuid>,
) -> Select<articles::Entity> {
    let mut select = articles::Entity::find();
    select = match drafts_of {
        Some(author) => select
            .filter(articles::Column::AuthorId.eq(author))
            .filter(articles::Column::PublishedAt.is_null()),
        None => select.filter(articles::Column::PublishedAt.is_not_null()),
    };
    if let Some(tag) = &filter.tag {
        let with_tag = Query::select()
            .column((article_tags::Entity, article_tags::Column::ArticleId))
            .from(article_tags::Entity)
            .inner_join(
                tags::Entity,
                Expr::col((tags::Entity, tags::Column::Id))
                    .equals((article_tags::Entity, article_tags::Column::TagId)),
            )
            .and_where(Expr::col((tags::Entity, tags::Column::Name)).eq(tag.as_str()))
            .to_owned();
        select = select.filter(articles::Column::Id.in_subquery(with_tag));
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
        let pattern =
            LikeExpr::new(format!("%{}%", escape_like(&term.to_lowercase()))).escape('\\');
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

/// Escapes `%`, `_` and `\` so user input matches literally inside `LIKE`.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
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

/// One page of matching articles and the total number of matches.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ArticleFilter,
    drafts_of: Option<Uuid>,
    window: Window,
) -> Result<(Vec<articles::Model>, u64), DbErr> {
    let backend = db.get_database_backend();
    let total = filtered(backend, filter, drafts_of).count(db).await?;
    let rows = filtered(backend, filter, drafts_of)
        .order_by_desc(articles::Column::PublishedAt)
        .order_by_desc(articles::Column::Id)
        .offset(window.offset)
        .limit(window.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn fts5_queries_are_reduced_to_quoted_words() {
        let expr = full_text(DbBackend::Sqlite, "rust\" OR (async* -x");
        let sql = sea_orm::sea_query::Query::select()
            .expr(expr)
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert!(sql.contains(r#"'"rust" "OR" "async" "x"'"#), "{sql}");
    }
}
