//! `blog_article_tags`: which article has which tag.

use sea_orm::entity::prelude::*;

/// An article-tag pair.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_article_tags")]
pub struct Model {
    /// The article.
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: i64,
    /// The tag.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag_id: i64,
    /// A copy of the article's publication time (written with the link, kept in step by a
    /// trigger), so that a tag's articles are listed in order from one index.
    pub published_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
