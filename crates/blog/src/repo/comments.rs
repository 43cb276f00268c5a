//! Comments.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::{comments, profiles};

/// Adds a comment.
pub async fn insert(
    db: &impl ConnectionTrait,
    article: i64,
    author: Uuid,
    body: String,
) -> Result<comments::Model, DbErr> {
    let now = Utc::now();
    comments::ActiveModel {
        article_id: Set(article),
        author_id: Set(author),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// An article's comments, oldest first, each with its author's profile (read in the same
/// query; none only if that profile was removed).
pub async fn for_article(
    db: &impl ConnectionTrait,
    article: i64,
) -> Result<Vec<(comments::Model, Option<profiles::Model>)>, DbErr> {
    comments::Entity::find()
        .filter(comments::Column::ArticleId.eq(article))
        .order_by_asc(comments::Column::Id)
        .select_also(profiles::Entity)
        .join(
            JoinType::LeftJoin,
            comments::Entity::belongs_to(profiles::Entity)
                .from(comments::Column::AuthorId)
                .to(profiles::Column::UserId)
                .into(),
        )
        .all(db)
        .await
}

/// The comment with this id on this article.
pub async fn find(
    db: &impl ConnectionTrait,
    article: i64,
    id: i64,
) -> Result<Option<comments::Model>, DbErr> {
    comments::Entity::find_by_id(id)
        .filter(comments::Column::ArticleId.eq(article))
        .one(db)
        .await
}

/// Deletes a comment.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    comments::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}
