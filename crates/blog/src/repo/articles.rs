//! Articles: single-row operations. Lists are in `listing.rs`.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, Select, SelectTwo, Set,
};
use uuid::Uuid;

use crate::entities::{articles, profiles};
use crate::model::ArticleKey;

/// The columns of a new article.
pub struct NewRow {
    /// Unique slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Text.
    pub body: String,
    /// Category.
    pub category: Option<String>,
    /// Author.
    pub author_id: Uuid,
    /// Publish at once (the publication time is then the creation time).
    pub publish: bool,
}

/// Inserts an article; a taken slug is a unique violation.
pub async fn insert(db: &impl ConnectionTrait, row: NewRow) -> Result<articles::Model, DbErr> {
    let now = Utc::now();
    articles::ActiveModel {
        slug: Set(row.slug),
        title: Set(row.title),
        description: Set(row.description),
        body: Set(row.body),
        category: Set(row.category),
        author_id: Set(row.author_id),
        published_at: Set(row.publish.then_some(now)),
        favorites_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The article with this id or slug.
pub async fn find(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
) -> Result<Option<articles::Model>, DbErr> {
    match key {
        ArticleKey::Id(id) => articles::Entity::find_by_id(*id).one(db).await,
        ArticleKey::Slug(slug) => {
            articles::Entity::find()
                .filter(articles::Column::Slug.eq(slug.as_str()))
                .one(db)
                .await
        }
    }
}

/// An article row and its author's profile (none only if that profile was removed).
pub type WithAuthor = (articles::Model, Option<profiles::Model>);

/// Reads the author's profile along with each article, in the same query.
pub fn with_author(
    select: Select<articles::Entity>,
) -> SelectTwo<articles::Entity, profiles::Entity> {
    select.select_also(profiles::Entity).join(
        JoinType::LeftJoin,
        articles::Entity::belongs_to(profiles::Entity)
            .from(articles::Column::AuthorId)
            .to(profiles::Column::UserId)
            .into(),
    )
}

/// The article with this id or slug, and its author's profile.
pub async fn find_with_author(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
) -> Result<Option<WithAuthor>, DbErr> {
    let select = match key {
        ArticleKey::Id(id) => articles::Entity::find_by_id(*id),
        ArticleKey::Slug(slug) => {
            articles::Entity::find().filter(articles::Column::Slug.eq(slug.as_str()))
        }
    };
    with_author(select).one(db).await
}

/// Whether a slug is taken.
pub async fn slug_exists(db: &impl ConnectionTrait, slug: &str) -> Result<bool, DbErr> {
    Ok(articles::Entity::find()
        .filter(articles::Column::Slug.eq(slug))
        .one(db)
        .await?
        .is_some())
}

/// Writes an article's changed columns and bumps `updated_at`.
pub async fn update(
    db: &impl ConnectionTrait,
    mut active: articles::ActiveModel,
) -> Result<articles::Model, DbErr> {
    active.updated_at = Set(Utc::now());
    active.update(db).await
}

/// Deletes an article (its tags, comments and favorites go with it).
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    articles::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}
