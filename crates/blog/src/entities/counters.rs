//! `blog_counters`: named totals kept exact by triggers (see the `published_counts`
//! migration).

use sea_orm::entity::prelude::*;

/// A named total.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_counters")]
pub struct Model {
    /// What is counted.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The count.
    pub value: i64,
}

impl ActiveModelBehavior for ActiveModel {}
