//! `blog_articles`: posts of both faces.

use sea_orm::entity::prelude::*;

/// An article row.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_articles")]
pub struct Model {
    /// Numeric id (the roadmap face's `id`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique URL name (the RealWorld face's key).
    #[sea_orm(unique)]
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short summary (RealWorld); empty for roadmap posts.
    pub description: String,
    /// The text (`body` in RealWorld, `content` on the roadmap face).
    pub body: String,
    /// Category (roadmap face); none for RealWorld articles.
    pub category: Option<String>,
    /// The author's platform account.
    pub author_id: Uuid,
    /// Publication time; `None` while a draft.
    pub published_at: Option<DateTimeUtc>,
    /// Number of favorites, kept in step with `blog_favorites` in the same transaction.
    pub favorites_count: i64,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
