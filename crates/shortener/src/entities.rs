//! The shortener's tables (see `migrations.rs` for why clicks are aggregates).

/// `shortener_links`: one short link.
pub mod links {
    use sea_orm::entity::prelude::*;

    /// A short link.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_links")]
    pub struct Model {
        /// Numeric id (the spec shows it as a string: `"id": "1"`).
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The short code or custom alias; unique, case-sensitive.
        pub code: String,
        /// Where it redirects.
        pub url: String,
        /// The account that made it; `None` for anonymous links.
        pub owner_id: Option<Uuid>,
        /// 301 or 302.
        pub redirect_status: i16,
        /// After this instant it no longer redirects.
        pub expires_at: Option<DateTimeUtc>,
        /// After this many clicks it no longer redirects.
        pub max_clicks: Option<i64>,
        /// Disabled links do not redirect.
        pub enabled: bool,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `shortener_clicks_hourly`: clicks per link and hour (UTC). A link's access count is
/// the sum of its rows: one source of truth.
pub mod clicks_hourly {
    use sea_orm::entity::prelude::*;

    /// Clicks of one link in one hour.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_clicks_hourly")]
    pub struct Model {
        /// The link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub link_id: i64,
        /// Start of the hour.
        #[sea_orm(primary_key, auto_increment = false)]
        pub hour: DateTimeUtc,
        /// Clicks in that hour.
        pub clicks: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `shortener_referrers_daily`: clicks per link, day and referring host.
pub mod referrers_daily {
    use sea_orm::entity::prelude::*;

    /// Clicks of one link on one day from one referrer.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_referrers_daily")]
    pub struct Model {
        /// The link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub link_id: i64,
        /// The day (UTC).
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        /// The referring host, `(direct)` or `(unknown)`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub referrer: String,
        /// Clicks.
        pub clicks: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `shortener_agents_daily`: clicks per link, day and user-agent family.
pub mod agents_daily {
    use sea_orm::entity::prelude::*;

    /// Clicks of one link on one day from one browser/OS family.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_agents_daily")]
    pub struct Model {
        /// The link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub link_id: i64,
        /// The day (UTC).
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        /// Browser family.
        #[sea_orm(primary_key, auto_increment = false)]
        pub browser: String,
        /// Operating system family.
        #[sea_orm(primary_key, auto_increment = false)]
        pub os: String,
        /// A crawler, preview fetcher or command-line client rather than a person.
        #[sea_orm(primary_key, auto_increment = false)]
        pub bot: bool,
        /// Clicks.
        pub clicks: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `shortener_visitors_daily`: one row per link, day and visitor, for unique counts.
pub mod visitors_daily {
    use sea_orm::entity::prelude::*;

    /// One visitor of one link on one day.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_visitors_daily")]
    pub struct Model {
        /// The link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub link_id: i64,
        /// The day (UTC).
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        /// 64 bits of SHA-256(day's salt, address, user agent); the address is never stored.
        #[sea_orm(primary_key, auto_increment = false)]
        pub visitor: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `shortener_salts`: the random salt of each day, deleted two days later so that old
/// visitor hashes can no longer be linked to addresses.
pub mod salts {
    use sea_orm::entity::prelude::*;

    /// One day's salt.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shortener_salts")]
    pub struct Model {
        /// The day (UTC).
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        /// 32 random bytes, hex.
        pub salt: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
