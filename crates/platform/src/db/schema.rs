//! Column and key shapes that every system's migrations share, so a change to how
//! Groundwork stores times or ties rows to their owner is made once.

use sea_orm_migration::prelude::*;

/// The auth users table, as the other systems' foreign keys name it.
#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

/// A non-null `timestamp with time zone` column (SeaORM stores it as text on SQLite).
pub fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// A foreign key from `table.column` to the user the row belongs to: deleting the account
/// deletes the row.
pub fn to_user(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(AuthUsers::Table, AuthUsers::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
