//! Follows and favorites: small join tables, written idempotently.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::entities::{articles, favorites, follows};

/// `follower` follows `followee`; following twice is a no-op.
pub async fn follow(
    db: &impl ConnectionTrait,
    follower: Uuid,
    followee: Uuid,
) -> Result<(), DbErr> {
    let row = follows::ActiveModel {
        follower_id: Set(follower),
        followee_id: Set(followee),
        created_at: Set(Utc::now()),
    };
    follows::Entity::insert(row)
        .on_conflict_do_nothing_on([follows::Column::FollowerId, follows::Column::FolloweeId])
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Stops following; a no-op when not following.
pub async fn unfollow(
    db: &impl ConnectionTrait,
    follower: Uuid,
    followee: Uuid,
) -> Result<(), DbErr> {
    follows::Entity::delete_many()
        .filter(follows::Column::FollowerId.eq(follower))
        .filter(follows::Column::FolloweeId.eq(followee))
        .exec(db)
        .await
        .map(|_| ())
}

/// Which of `candidates` the follower follows.
pub async fn followed_among(
    db: &impl ConnectionTrait,
    follower: Uuid,
    candidates: &[Uuid],
) -> Result<HashSet<Uuid>, DbErr> {
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<Uuid> = follows::Entity::find()
        .select_only()
        .column(follows::Column::FolloweeId)
        .filter(follows::Column::FollowerId.eq(follower))
        .filter(follows::Column::FolloweeId.is_in(candidates.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Favorites an article; returns whether it was new. The article's counter moves in
/// the same transaction, only when a row was really added, so it stays exact under
/// concurrent (and repeated) requests.
pub async fn favorite(db: &impl ConnectionTrait, user: Uuid, article: i64) -> Result<bool, DbErr> {
    let row = favorites::ActiveModel {
        user_id: Set(user),
        article_id: Set(article),
        created_at: Set(Utc::now()),
    };
    let inserted = favorites::Entity::insert(row)
        .on_conflict_do_nothing_on([favorites::Column::UserId, favorites::Column::ArticleId])
        .exec_without_returning(db)
        .await?;
    let added = matches!(inserted, sea_orm::TryInsertResult::Inserted(rows) if rows > 0);
    if added {
        adjust_count(db, article, 1).await?;
    }
    Ok(added)
}

/// Removes a favorite; returns whether there was one.
pub async fn unfavorite(
    db: &impl ConnectionTrait,
    user: Uuid,
    article: i64,
) -> Result<bool, DbErr> {
    let deleted = favorites::Entity::delete_many()
        .filter(favorites::Column::UserId.eq(user))
        .filter(favorites::Column::ArticleId.eq(article))
        .exec(db)
        .await?;
    let removed = deleted.rows_affected == 1;
    if removed {
        adjust_count(db, article, -1).await?;
    }
    Ok(removed)
}

async fn adjust_count(db: &impl ConnectionTrait, article: i64, by: i64) -> Result<(), DbErr> {
    articles::Entity::update_many()
        .col_expr(
            articles::Column::FavoritesCount,
            Expr::col(articles::Column::FavoritesCount).add(by),
        )
        .filter(articles::Column::Id.eq(article))
        .exec(db)
        .await
        .map(|_| ())
}

/// Which of `articles` the user favorited.
pub async fn favorited_among(
    db: &impl ConnectionTrait,
    user: Uuid,
    articles: &[i64],
) -> Result<HashSet<i64>, DbErr> {
    if articles.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<i64> = favorites::Entity::find()
        .select_only()
        .column(favorites::Column::ArticleId)
        .filter(favorites::Column::UserId.eq(user))
        .filter(favorites::Column::ArticleId.is_in(articles.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}
