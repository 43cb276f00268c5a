//! `blog_follows`: who follows whom.

use sea_orm::entity::prelude::*;

/// A follow.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_follows")]
pub struct Model {
    /// The follower.
    #[sea_orm(primary_key, auto_increment = false)]
    pub follower_id: Uuid,
    /// The one followed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub followee_id: Uuid,
    /// Since when.
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
