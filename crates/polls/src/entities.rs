//! The poll tables.

/// `polls_polls`: one row per poll.
pub mod polls {
    use sea_orm::entity::prelude::*;

    /// A poll.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "polls_polls")]
    pub struct Model {
        /// Id (UUID v7).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The account that created it.
        pub owner_id: Uuid,
        /// The question.
        pub question: String,
        /// Whether a ballot may name several options.
        pub multiple_choice: bool,
        /// Whether only signed-in users may vote.
        pub login_required: bool,
        /// When it closes on its own, if ever.
        pub closes_at: Option<DateTimeUtc>,
        /// When its owner closed it, if they did.
        pub closed_at: Option<DateTimeUtc>,
        /// Creation time.
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `polls_options`: a poll's options, in order.
pub mod options {
    use sea_orm::entity::prelude::*;

    /// An option.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "polls_options")]
    pub struct Model {
        /// The poll.
        #[sea_orm(primary_key, auto_increment = false)]
        pub poll_id: Uuid,
        /// Id (UUID v4), unique across polls.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// 0-based place in the list.
        pub position: i32,
        /// What it says.
        pub label: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `polls_ballots`: one per voter and poll (the primary key says so).
pub mod ballots {
    use sea_orm::entity::prelude::*;

    /// A ballot.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "polls_ballots")]
    pub struct Model {
        /// The poll.
        #[sea_orm(primary_key, auto_increment = false)]
        pub poll_id: Uuid,
        /// `user:<uuid>` or `anon:<sha-256 of the voter token>`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub voter: String,
        /// When it was cast or last changed.
        pub cast_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `polls_choices`: the options a ballot names.
pub mod choices {
    use sea_orm::entity::prelude::*;

    /// One option on one ballot.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "polls_choices")]
    pub struct Model {
        /// The poll.
        #[sea_orm(primary_key, auto_increment = false)]
        pub poll_id: Uuid,
        /// The ballot's voter.
        #[sea_orm(primary_key, auto_increment = false)]
        pub voter: String,
        /// The option.
        #[sea_orm(primary_key, auto_increment = false)]
        pub option_id: Uuid,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `polls_voter_tokens`: tokens issued to anonymous voters, stored hashed.
pub mod voter_tokens {
    use sea_orm::entity::prelude::*;

    /// An issued token.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "polls_voter_tokens")]
    pub struct Model {
        /// SHA-256 of the token, hex.
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        /// When it was issued.
        pub issued_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
