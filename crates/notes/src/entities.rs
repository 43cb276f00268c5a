//! The notes tables (the search index is raw SQL in `notes::search`).

/// `notes_blobs`: one row per distinct markdown text in blob storage.
pub mod blobs {
    use sea_orm::entity::prelude::*;

    /// A stored text.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notes_blobs")]
    pub struct Model {
        /// SHA-256 of the text, lowercase hex.
        #[sea_orm(primary_key, auto_increment = false)]
        pub hash: String,
        /// Where blob storage holds it (`notes/<hash>/<uuid>.md`).
        pub object_key: String,
        /// Its length in bytes.
        pub size_bytes: i64,
        /// When it was first stored.
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `notes_notes`: each note's metadata.
pub mod notes {
    use sea_orm::entity::prelude::*;

    /// A note.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notes_notes")]
    pub struct Model {
        /// Id (UUID v7).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The account it belongs to.
        pub owner_id: Uuid,
        /// Its title.
        pub title: String,
        /// The name of the uploaded file it came from, if any.
        pub file_name: Option<String>,
        /// The blob holding its markdown.
        pub blob_hash: String,
        /// Markdown length in bytes.
        pub size_bytes: i64,
        /// Words in the rendered text.
        pub word_count: i64,
        /// Its row in the SQLite search index.
        pub search_rowid: Option<i64>,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `notes_dictionary`: words an account accepts as correctly spelled.
pub mod dictionary {
    use sea_orm::entity::prelude::*;

    /// An accepted word.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notes_dictionary")]
    pub struct Model {
        /// The account.
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        /// The word, lowercased.
        #[sea_orm(primary_key, auto_increment = false)]
        pub word: String,
        /// When it was added.
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
