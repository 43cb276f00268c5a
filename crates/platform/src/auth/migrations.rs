//! Schema of the auth tables. Migrations are frozen once released: change the schema by
//! adding a migration, never by editing one.

use sea_orm_migration::prelude::*;

/// All auth migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateUsersAndRefreshTokens)]
}

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthRefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

struct CreateUsersAndRefreshTokens;

impl MigrationName for CreateUsersAndRefreshTokens {
    fn name(&self) -> &str {
        "m20261120_000001_create_users_and_refresh_tokens"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateUsersAndRefreshTokens {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthUsers::Table)
                    .col(
                        ColumnDef::new(AuthUsers::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuthUsers::Email)
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(AuthUsers::Name).string_len(100).null())
                    .col(ColumnDef::new(AuthUsers::PasswordHash).string().not_null())
                    .col(ColumnDef::new(AuthUsers::Role).string_len(32).not_null())
                    .col(
                        ColumnDef::new(AuthUsers::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthUsers::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthRefreshTokens::Table)
                    .col(
                        ColumnDef::new(AuthRefreshTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuthRefreshTokens::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(AuthRefreshTokens::FamilyId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthRefreshTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(AuthRefreshTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthRefreshTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthRefreshTokens::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AuthRefreshTokens::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthRefreshTokens::Table, AuthRefreshTokens::UserId)
                            .to(AuthUsers::Table, AuthUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_auth_refresh_tokens_family",
                AuthRefreshTokens::FamilyId,
            ),
            ("idx_auth_refresh_tokens_user", AuthRefreshTokens::UserId),
            (
                "idx_auth_refresh_tokens_expires",
                AuthRefreshTokens::ExpiresAt,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuthRefreshTokens::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
