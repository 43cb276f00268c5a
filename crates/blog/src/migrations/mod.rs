//! Schema of the blog tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.

use sea_orm_migration::prelude::*;

mod article_search;
mod create_tables;
mod published_counts;

pub use published_counts::PUBLISHED_ARTICLES;

/// All blog migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(create_tables::CreateBlogTables),
        Box::new(article_search::CreateArticleSearch),
        Box::new(published_counts::PublishedCounts),
    ]
}
