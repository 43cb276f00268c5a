//! Multi-row inserts for seeding large data sets (`groundwork blog seed`).

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, QueryStatementBuilder};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryTrait};

use crate::entities::{articles, favorites};

pub use groundwork_platform::db::bulk::{analyze, insert_all};

/// The highest article id so far (0 for none).
pub async fn max_article_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let query = Query::select()
        .expr(Func::max(Expr::col(articles::Column::Id)))
        .from(articles::Entity)
        .to_owned();
    let row = db.query_one(&query).await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<Option<i64>>(0).ok().flatten())
        .unwrap_or(0))
}

/// Recomputes every article's `favorites_count` from `blog_favorites` (after bulk loads,
/// which bypass the per-favorite counter update).
pub async fn recount_favorites(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let count = Query::select()
        .expr(Func::count(Expr::col((
            favorites::Entity,
            favorites::Column::ArticleId,
        ))))
        .from(favorites::Entity)
        .and_where(
            Expr::col((favorites::Entity, favorites::Column::ArticleId))
                .equals((articles::Entity, articles::Column::Id)),
        )
        .to_owned();
    let update = articles::Entity::update_many().col_expr(
        articles::Column::FavoritesCount,
        Expr::SubQuery(None, Box::new(count.into_sub_query_statement())),
    );
    db.execute(&update.into_query()).await.map(|_| ())
}
