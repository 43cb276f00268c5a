//! The expense tables.

/// `expenses_items`: one row per expense.
pub mod items {
    use sea_orm::entity::prelude::*;

    /// An expense.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "expenses_items")]
    pub struct Model {
        /// Id (UUID v7).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The account it belongs to.
        pub owner_id: Uuid,
        /// Amount in minor units of `currency` (cents for USD), always positive.
        pub amount_minor: i64,
        /// ISO 4217 code.
        pub currency: String,
        /// One of the fixed categories.
        pub category: String,
        /// Free text.
        pub description: String,
        /// The calendar day it was spent, in the owner's time zone.
        pub spent_on: Date,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `expenses_preferences`: per-account time zone and default currency.
pub mod preferences {
    use sea_orm::entity::prelude::*;

    /// An account's preferences (absent: UTC and USD).
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "expenses_preferences")]
    pub struct Model {
        /// The account.
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        /// IANA time zone name.
        pub time_zone: String,
        /// Default ISO 4217 currency of new expenses.
        pub currency: String,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
