//! Full-text search needs engine-specific DDL: an FTS5 table kept in sync by triggers on
//! SQLite, a generated `tsvector` column with a GIN index on PostgreSQL.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// The search index over title, description and body.
pub struct CreateArticleSearch;

impl MigrationName for CreateArticleSearch {
    fn name(&self) -> &str {
        "m20261121_000002_create_article_search"
    }
}

/// SQLite: an external-content FTS5 index over the articles, with porter stemming, kept
/// in sync by triggers (the FTS5 documentation's recipe).
const SQLITE_SEARCH: &[&str] = &[
    "CREATE VIRTUAL TABLE blog_articles_fts USING fts5(title, description, body, \
     content='blog_articles', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER blog_articles_fts_insert AFTER INSERT ON blog_articles BEGIN \
     INSERT INTO blog_articles_fts(rowid, title, description, body) \
     VALUES (new.id, new.title, new.description, new.body); END",
    "CREATE TRIGGER blog_articles_fts_delete AFTER DELETE ON blog_articles BEGIN \
     INSERT INTO blog_articles_fts(blog_articles_fts, rowid, title, description, body) \
     VALUES ('delete', old.id, old.title, old.description, old.body); END",
    "CREATE TRIGGER blog_articles_fts_update AFTER UPDATE OF title, description, body ON blog_articles BEGIN \
     INSERT INTO blog_articles_fts(blog_articles_fts, rowid, title, description, body) \
     VALUES ('delete', old.id, old.title, old.description, old.body); \
     INSERT INTO blog_articles_fts(rowid, title, description, body) \
     VALUES (new.id, new.title, new.description, new.body); END",
];

/// PostgreSQL: a stored generated `tsvector` with English stemming, and its GIN index.
const POSTGRES_SEARCH: &[&str] = &[
    "ALTER TABLE blog_articles ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (to_tsvector('english', title || ' ' || description || ' ' || body)) STORED",
    "CREATE INDEX idx_blog_articles_search ON blog_articles USING GIN (search)",
];

#[async_trait::async_trait]
impl MigrationTrait for CreateArticleSearch {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_SEARCH,
            _ => SQLITE_SEARCH,
        };
        for statement in statements {
            connection.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
