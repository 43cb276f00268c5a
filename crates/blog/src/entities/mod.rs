//! SeaORM entities of the blog tables. Only the `repo` modules use them.

pub mod article_tags;
pub mod articles;
pub mod comments;
pub mod counters;
pub mod favorites;
pub mod follows;
pub mod profiles;
pub mod tags;
