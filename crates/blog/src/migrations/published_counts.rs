//! Published-article counts that the database keeps exact, so that the total of the
//! unfiltered list, the total of a tag's list and the popular-tags list each read a row
//! instead of counting every article:
//!
//! - `blog_counters` row `published_articles`: how many articles are published;
//! - `blog_tags.published_count`: how many published articles carry the tag;
//! - `blog_article_tags.published_at`: a copy of the article's publication time, so that a
//!   tag's page is read in order from one index `(tag_id, published_at, article_id)`.
//!
//! Triggers maintain all three, whatever changes the rows, cascades from a deleted account
//! included. The application only writes `blog_article_tags.published_at` when it links a
//! tag (it knows the article's state then); publication changes propagate by trigger.
//!
//! SQLite has row-level triggers only, and a row update there is cheap. On PostgreSQL the
//! insert and delete triggers are per statement with transition tables, so that a bulk
//! load updates each counter row once per statement, not once per row (many updates of
//! one row in one transaction slow down as its versions pile up). Lock order on
//! PostgreSQL is always the counter row, then tag rows: the tag trigger takes the counter
//! first, so two writers can never hold them in opposite orders.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// Counter table, count columns, the tag-publication index and their triggers.
pub struct PublishedCounts;

impl MigrationName for PublishedCounts {
    fn name(&self) -> &str {
        "m20261121_000003_published_counts"
    }
}

/// The name of the published-articles row in `blog_counters`.
pub const PUBLISHED_ARTICLES: &str = "published_articles";

#[derive(DeriveIden)]
enum BlogCounters {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum BlogArticleTags {
    Table,
    TagId,
    PublishedAt,
    ArticleId,
}

#[derive(DeriveIden)]
enum BlogTags {
    Table,
    PublishedCount,
    Name,
}

/// Fills the new columns and the counter from the rows already there (before the
/// triggers exist, so nothing is counted twice).
const BACKFILL: &[&str] = &[
    "UPDATE blog_article_tags SET published_at = \
     (SELECT a.published_at FROM blog_articles a WHERE a.id = blog_article_tags.article_id)",
    "UPDATE blog_tags SET published_count = (SELECT count(*) FROM blog_article_tags t \
     WHERE t.tag_id = blog_tags.id AND t.published_at IS NOT NULL)",
    "INSERT INTO blog_counters (name, value) SELECT 'published_articles', count(*) \
     FROM blog_articles WHERE published_at IS NOT NULL",
];

const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER blog_articles_count_insert AFTER INSERT ON blog_articles \
     WHEN new.published_at IS NOT NULL BEGIN \
     UPDATE blog_counters SET value = value + 1 WHERE name = 'published_articles'; END",
    "CREATE TRIGGER blog_articles_count_delete AFTER DELETE ON blog_articles \
     WHEN old.published_at IS NOT NULL BEGIN \
     UPDATE blog_counters SET value = value - 1 WHERE name = 'published_articles'; END",
    "CREATE TRIGGER blog_articles_publication AFTER UPDATE OF published_at ON blog_articles \
     WHEN old.published_at IS NOT new.published_at BEGIN \
     UPDATE blog_counters SET value = value + (new.published_at IS NOT NULL) \
     - (old.published_at IS NOT NULL) WHERE name = 'published_articles'; \
     UPDATE blog_article_tags SET published_at = new.published_at WHERE article_id = new.id; END",
    "CREATE TRIGGER blog_article_tags_count_insert AFTER INSERT ON blog_article_tags \
     WHEN new.published_at IS NOT NULL BEGIN \
     UPDATE blog_tags SET published_count = published_count + 1 WHERE id = new.tag_id; END",
    "CREATE TRIGGER blog_article_tags_count_delete AFTER DELETE ON blog_article_tags \
     WHEN old.published_at IS NOT NULL BEGIN \
     UPDATE blog_tags SET published_count = published_count - 1 WHERE id = old.tag_id; END",
    "CREATE TRIGGER blog_article_tags_count_update AFTER UPDATE OF published_at ON blog_article_tags \
     WHEN (old.published_at IS NULL) <> (new.published_at IS NULL) BEGIN \
     UPDATE blog_tags SET published_count = published_count + (new.published_at IS NOT NULL) \
     - (old.published_at IS NOT NULL) WHERE id = new.tag_id; END",
];

const POSTGRES_TRIGGERS: &[&str] = &[
    // Inserted and deleted articles, per statement.
    "CREATE FUNCTION blog_count_published_articles() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE delta bigint;
     BEGIN
       IF TG_OP = 'INSERT' THEN
         SELECT count(*) INTO delta FROM new_rows WHERE published_at IS NOT NULL;
       ELSE
         SELECT -count(*) INTO delta FROM old_rows WHERE published_at IS NOT NULL;
       END IF;
       IF delta <> 0 THEN
         UPDATE blog_counters SET value = value + delta WHERE name = 'published_articles';
       END IF;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER blog_articles_count_insert AFTER INSERT ON blog_articles \
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION blog_count_published_articles()",
    "CREATE TRIGGER blog_articles_count_delete AFTER DELETE ON blog_articles \
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION blog_count_published_articles()",
    // Publishing and unpublishing: one row at a time, and only when the column changes,
    // so other updates (favorite counts) do not pay for it.
    "CREATE FUNCTION blog_article_publication() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF (OLD.published_at IS NULL) <> (NEW.published_at IS NULL) THEN
         UPDATE blog_counters
           SET value = value + CASE WHEN NEW.published_at IS NULL THEN -1 ELSE 1 END
           WHERE name = 'published_articles';
       END IF;
       UPDATE blog_article_tags SET published_at = NEW.published_at WHERE article_id = NEW.id;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER blog_articles_publication AFTER UPDATE OF published_at ON blog_articles \
     FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) \
     EXECUTE FUNCTION blog_article_publication()",
    // Tag links: per statement, the counter row locked first (see the module comment).
    "CREATE FUNCTION blog_apply_tag_deltas(added bigint[], removed bigint[]) RETURNS void
     LANGUAGE plpgsql AS $$
     BEGIN
       IF cardinality(added) + cardinality(removed) = 0 THEN
         RETURN;
       END IF;
       PERFORM 1 FROM blog_counters WHERE name = 'published_articles' FOR UPDATE;
       UPDATE blog_tags t SET published_count = t.published_count + d.n
         FROM (SELECT tag_id, sum(n) AS n FROM (
                 SELECT unnest(added) AS tag_id, 1 AS n
                 UNION ALL SELECT unnest(removed), -1) changes
               GROUP BY tag_id) d
         WHERE t.id = d.tag_id AND d.n <> 0;
     END $$",
    "CREATE FUNCTION blog_count_tagged_articles() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       added bigint[] := '{}';
       removed bigint[] := '{}';
     BEGIN
       IF TG_OP IN ('INSERT', 'UPDATE') THEN
         added := ARRAY(SELECT tag_id FROM new_rows WHERE published_at IS NOT NULL);
       END IF;
       IF TG_OP IN ('DELETE', 'UPDATE') THEN
         removed := ARRAY(SELECT tag_id FROM old_rows WHERE published_at IS NOT NULL);
       END IF;
       PERFORM blog_apply_tag_deltas(added, removed);
       RETURN NULL;
     END $$",
    "CREATE TRIGGER blog_article_tags_count_insert AFTER INSERT ON blog_article_tags \
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION blog_count_tagged_articles()",
    "CREATE TRIGGER blog_article_tags_count_delete AFTER DELETE ON blog_article_tags \
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION blog_count_tagged_articles()",
    "CREATE TRIGGER blog_article_tags_count_update AFTER UPDATE ON blog_article_tags \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION blog_count_tagged_articles()",
];

#[async_trait::async_trait]
impl MigrationTrait for PublishedCounts {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BlogArticleTags::Table)
                    .add_column(
                        ColumnDef::new(BlogArticleTags::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(BlogTags::Table)
                    .add_column(
                        ColumnDef::new(BlogTags::PublishedCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogCounters::Table)
                    .col(
                        ColumnDef::new(BlogCounters::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BlogCounters::Value)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        // The new index serves every lookup by tag the old one did, and a tag's page in
        // publication order.
        manager
            .drop_index(
                Index::drop()
                    .name("idx_blog_article_tags_tag")
                    .table(BlogArticleTags::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_blog_article_tags_tag_published")
                    .table(BlogArticleTags::Table)
                    .col(BlogArticleTags::TagId)
                    .col(BlogArticleTags::PublishedAt)
                    .col(BlogArticleTags::ArticleId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_blog_tags_popular")
                    .table(BlogTags::Table)
                    .col((BlogTags::PublishedCount, IndexOrder::Desc))
                    .col(BlogTags::Name)
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_TRIGGERS,
            _ => SQLITE_TRIGGERS,
        };
        for statement in BACKFILL.iter().chain(triggers) {
            connection.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
