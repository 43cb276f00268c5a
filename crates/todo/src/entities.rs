//! The `todo_items` table.

/// A to-do item row.
pub mod items {
    use sea_orm::entity::prelude::*;

    /// One item of one account's list.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "todo_items")]
    pub struct Model {
        /// Numeric id, as the spec shows (`"id": 1`).
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The account that owns it; only it may see or change the item.
        pub owner_id: Uuid,
        /// Title.
        pub title: String,
        /// Description (may be empty).
        pub description: String,
        /// `todo`, `in-progress` or `done`.
        pub status: String,
        /// 1 (low), 2 (medium), 3 (high).
        pub priority: i32,
        /// Due date, if any.
        pub due_date: Option<Date>,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
