//! `blog_comments`.

use sea_orm::entity::prelude::*;

/// A comment row.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_comments")]
pub struct Model {
    /// Numeric id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The article commented on.
    pub article_id: i64,
    /// The commenter.
    pub author_id: Uuid,
    /// The text.
    pub body: String,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
