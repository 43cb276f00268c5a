//! The fitness tables.

/// `fitness_exercises`: the catalogue (no owner) and users' private exercises.
pub mod exercises {
    use sea_orm::entity::prelude::*;

    /// An exercise.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_exercises")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `None` for the shared catalogue; the account for a private exercise.
        pub owner_id: Option<Uuid>,
        /// Name as written.
        pub name: String,
        /// Lowercased name: unique within the catalogue, and within one account's own.
        pub name_key: String,
        /// How to do it.
        pub description: String,
        /// cardio, strength, flexibility or balance.
        pub category: String,
        /// chest, back, legs, shoulders, arms, core or full body.
        pub muscle_group: String,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
