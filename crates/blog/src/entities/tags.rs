//! `blog_tags`: every tag name once.

use sea_orm::entity::prelude::*;

/// A tag row.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_tags")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The tag; unique.
    #[sea_orm(unique)]
    pub name: String,
    /// Published articles with this tag, kept exact by triggers.
    pub published_count: i64,
}

impl ActiveModelBehavior for ActiveModel {}
