//! `blog_profiles`: the blog's side of an account (username, bio, image).

use sea_orm::entity::prelude::*;

/// A profile row.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_profiles")]
pub struct Model {
    /// The platform account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Username as chosen.
    pub username: String,
    /// Lowercased username; unique.
    #[sea_orm(unique)]
    pub username_key: String,
    /// Free text.
    pub bio: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
