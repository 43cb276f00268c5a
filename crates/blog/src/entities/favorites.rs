//! `blog_favorites`: who liked which article.

use sea_orm::entity::prelude::*;

/// A favorite.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_favorites")]
pub struct Model {
    /// Who.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Which article.
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: i64,
    /// When.
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
