//! Schema of the to-do tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TodoItems {
    Table,
    Id,
    OwnerId,
    Title,
    Description,
    Status,
    Priority,
    DueDate,
    CreatedAt,
    UpdatedAt,
}

/// All to-do migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateTodoItems)]
}

/// `todo_items` and the indexes of its list orders.
pub struct CreateTodoItems;

impl MigrationName for CreateTodoItems {
    fn name(&self) -> &str {
        "m20261121_000001_create_todo_items"
    }
}

fn per_owner_index(name: &str, columns: [TodoItems; 2]) -> IndexCreateStatement {
    let [first, second] = columns;
    Index::create()
        .name(name)
        .table(TodoItems::Table)
        .col(TodoItems::OwnerId)
        .col(first)
        .col(second)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTodoItems {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TodoItems::Table)
                    .col(
                        ColumnDef::new(TodoItems::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TodoItems::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(TodoItems::Title).string_len(200).not_null())
                    .col(ColumnDef::new(TodoItems::Description).text().not_null())
                    .col(
                        ColumnDef::new(TodoItems::Status)
                            .string_len(16)
                            .not_null()
                            .default("todo"),
                    )
                    .col(
                        ColumnDef::new(TodoItems::Priority)
                            .integer()
                            .not_null()
                            .default(2),
                    )
                    .col(ColumnDef::new(TodoItems::DueDate).date().null())
                    .col(
                        ColumnDef::new(TodoItems::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TodoItems::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TodoItems::Table, TodoItems::OwnerId)
                            .to(AuthUsers::Table, AuthUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One index per sort order, each led by the owner: every list is one user's.
        // Ties break on the id, which the created index carries and the others get from
        // the row (the primary key).
        for (name, columns) in [
            (
                "idx_todo_items_owner_created",
                [TodoItems::CreatedAt, TodoItems::Id],
            ),
            (
                "idx_todo_items_owner_due",
                [TodoItems::DueDate, TodoItems::Id],
            ),
            (
                "idx_todo_items_owner_priority",
                [TodoItems::Priority, TodoItems::Id],
            ),
        ] {
            manager.create_index(per_owner_index(name, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TodoItems::Table).to_owned())
            .await
    }
}
