//! The first migration: every blog table and its indexes.

use groundwork_platform::db::schema::{timestamp, to_user};
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum BlogProfiles {
    Table,
    UserId,
    Username,
    UsernameKey,
    Bio,
    Image,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BlogArticles {
    Table,
    Id,
    Slug,
    Title,
    Description,
    Body,
    Category,
    AuthorId,
    PublishedAt,
    FavoritesCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BlogTags {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum BlogArticleTags {
    Table,
    ArticleId,
    TagId,
}

#[derive(DeriveIden)]
enum BlogComments {
    Table,
    Id,
    ArticleId,
    AuthorId,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BlogFavorites {
    Table,
    UserId,
    ArticleId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BlogFollows {
    Table,
    FollowerId,
    FolloweeId,
    CreatedAt,
}

fn to_article(from_table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, column)
        .to(BlogArticles::Table, BlogArticles::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement
}

/// Profiles, articles, tags, comments, favorites and follows.
pub struct CreateBlogTables;

impl MigrationName for CreateBlogTables {
    fn name(&self) -> &str {
        "m20261121_000001_create_blog_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateBlogTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BlogProfiles::Table)
                    .col(
                        ColumnDef::new(BlogProfiles::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BlogProfiles::Username)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BlogProfiles::UsernameKey)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(BlogProfiles::Bio).text().null())
                    .col(ColumnDef::new(BlogProfiles::Image).text().null())
                    .col(timestamp(BlogProfiles::CreatedAt))
                    .col(timestamp(BlogProfiles::UpdatedAt))
                    .foreign_key(&mut to_user(BlogProfiles::Table, BlogProfiles::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogArticles::Table)
                    .col(
                        ColumnDef::new(BlogArticles::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BlogArticles::Slug)
                            .string_len(255)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(BlogArticles::Title)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BlogArticles::Description).text().not_null())
                    .col(ColumnDef::new(BlogArticles::Body).text().not_null())
                    .col(
                        ColumnDef::new(BlogArticles::Category)
                            .string_len(100)
                            .null(),
                    )
                    .col(ColumnDef::new(BlogArticles::AuthorId).uuid().not_null())
                    .col(
                        ColumnDef::new(BlogArticles::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BlogArticles::FavoritesCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(BlogArticles::CreatedAt))
                    .col(timestamp(BlogArticles::UpdatedAt))
                    .foreign_key(&mut to_user(BlogArticles::Table, BlogArticles::AuthorId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogTags::Table)
                    .col(
                        ColumnDef::new(BlogTags::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BlogTags::Name)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogArticleTags::Table)
                    .col(
                        ColumnDef::new(BlogArticleTags::ArticleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BlogArticleTags::TagId)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(BlogArticleTags::ArticleId)
                            .col(BlogArticleTags::TagId),
                    )
                    .foreign_key(&mut to_article(
                        BlogArticleTags::Table,
                        BlogArticleTags::ArticleId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BlogArticleTags::Table, BlogArticleTags::TagId)
                            .to(BlogTags::Table, BlogTags::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogComments::Table)
                    .col(
                        ColumnDef::new(BlogComments::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(BlogComments::ArticleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(BlogComments::AuthorId).uuid().not_null())
                    .col(ColumnDef::new(BlogComments::Body).text().not_null())
                    .col(timestamp(BlogComments::CreatedAt))
                    .col(timestamp(BlogComments::UpdatedAt))
                    .foreign_key(&mut to_article(
                        BlogComments::Table,
                        BlogComments::ArticleId,
                    ))
                    .foreign_key(&mut to_user(BlogComments::Table, BlogComments::AuthorId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogFavorites::Table)
                    .col(ColumnDef::new(BlogFavorites::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(BlogFavorites::ArticleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(BlogFavorites::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(BlogFavorites::UserId)
                            .col(BlogFavorites::ArticleId),
                    )
                    .foreign_key(&mut to_user(BlogFavorites::Table, BlogFavorites::UserId))
                    .foreign_key(&mut to_article(
                        BlogFavorites::Table,
                        BlogFavorites::ArticleId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlogFollows::Table)
                    .col(ColumnDef::new(BlogFollows::FollowerId).uuid().not_null())
                    .col(ColumnDef::new(BlogFollows::FolloweeId).uuid().not_null())
                    .col(timestamp(BlogFollows::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(BlogFollows::FollowerId)
                            .col(BlogFollows::FolloweeId),
                    )
                    .foreign_key(&mut to_user(BlogFollows::Table, BlogFollows::FollowerId))
                    .foreign_key(&mut to_user(BlogFollows::Table, BlogFollows::FolloweeId))
                    .to_owned(),
            )
            .await?;
        // Lists are newest first by publication; the feed and `?author=` go through the
        // author; tag, comment, favorite and follower lookups each have their own index.
        for statement in [
            index(
                "idx_blog_articles_published",
                BlogArticles::Table,
                &["published_at", "id"],
            ),
            index(
                "idx_blog_articles_author",
                BlogArticles::Table,
                &["author_id", "published_at", "id"],
            ),
            index(
                "idx_blog_articles_category",
                BlogArticles::Table,
                &["category"],
            ),
            index(
                "idx_blog_article_tags_tag",
                BlogArticleTags::Table,
                &["tag_id", "article_id"],
            ),
            index(
                "idx_blog_comments_article",
                BlogComments::Table,
                &["article_id", "id"],
            ),
            index(
                "idx_blog_favorites_article",
                BlogFavorites::Table,
                &["article_id"],
            ),
            index(
                "idx_blog_follows_followee",
                BlogFollows::Table,
                &["followee_id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }
}
