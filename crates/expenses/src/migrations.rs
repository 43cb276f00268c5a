//! Schema of the expense tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.

use groundwork_platform::db::schema::{timestamp, to_user};
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ExpensesItems {
    Table,
    Id,
    OwnerId,
    AmountMinor,
    Currency,
    Category,
    Description,
    SpentOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExpensesPreferences {
    Table,
    UserId,
    TimeZone,
    Currency,
    UpdatedAt,
}

/// All expense migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateExpenseTables)]
}

/// Expenses and preferences.
pub struct CreateExpenseTables;

impl MigrationName for CreateExpenseTables {
    fn name(&self) -> &str {
        "m20261121_000001_create_expense_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateExpenseTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExpensesItems::Table)
                    .col(
                        ColumnDef::new(ExpensesItems::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ExpensesItems::OwnerId).uuid().not_null())
                    .col(
                        ColumnDef::new(ExpensesItems::AmountMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExpensesItems::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExpensesItems::Category)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ExpensesItems::Description).text().not_null())
                    .col(ColumnDef::new(ExpensesItems::SpentOn).date().not_null())
                    .col(timestamp(ExpensesItems::CreatedAt))
                    .col(timestamp(ExpensesItems::UpdatedAt))
                    .foreign_key(&mut to_user(ExpensesItems::Table, ExpensesItems::OwnerId))
                    .to_owned(),
            )
            .await?;
        // Lists and summaries are always one owner's, by date (newest first), optionally
        // one category.
        manager
            .create_index(
                Index::create()
                    .name("idx_expenses_items_owner_spent")
                    .table(ExpensesItems::Table)
                    .col(ExpensesItems::OwnerId)
                    .col(ExpensesItems::SpentOn)
                    .col(ExpensesItems::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_expenses_items_owner_category_spent")
                    .table(ExpensesItems::Table)
                    .col(ExpensesItems::OwnerId)
                    .col(ExpensesItems::Category)
                    .col(ExpensesItems::SpentOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExpensesPreferences::Table)
                    .col(
                        ColumnDef::new(ExpensesPreferences::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ExpensesPreferences::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExpensesPreferences::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(timestamp(ExpensesPreferences::UpdatedAt))
                    .foreign_key(&mut to_user(
                        ExpensesPreferences::Table,
                        ExpensesPreferences::UserId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExpensesPreferences::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ExpensesItems::Table).to_owned())
            .await
    }
}
