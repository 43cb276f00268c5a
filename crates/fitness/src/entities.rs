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

/// `fitness_workouts`: one planned or performed session.
pub mod workouts {
    use sea_orm::entity::prelude::*;

    /// A workout.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_workouts")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The account.
        pub owner_id: Uuid,
        /// Name.
        pub name: String,
        /// When it is scheduled (an instant, UTC).
        pub scheduled_at: DateTimeUtc,
        /// The IANA zone it was scheduled in (local dates and weeks of reports).
        pub time_zone: String,
        /// pending, completed or skipped.
        pub status: String,
        /// Notes.
        pub notes: String,
        /// The recurring schedule that generated it, if any.
        pub schedule_id: Option<i64>,
        /// The calendar date of `scheduled_at` in `time_zone` (reports bucket by it).
        pub local_date: Option<Date>,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `fitness_workout_exercises`: the ordered exercises of a workout.
pub mod workout_exercises {
    use sea_orm::entity::prelude::*;

    /// One exercise in a workout.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_workout_exercises")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The workout.
        pub workout_id: i64,
        /// The exercise.
        pub exercise_id: i64,
        /// 0-based place in the workout.
        pub position: i32,
        /// Notes.
        pub notes: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `fitness_sets`: the sets of one exercise in a workout, planned and performed.
pub mod sets {
    use sea_orm::entity::prelude::*;

    /// One set.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_sets")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The exercise in the workout.
        pub workout_exercise_id: i64,
        /// 0-based place.
        pub position: i32,
        /// Planned repetitions.
        pub reps: Option<i32>,
        /// Planned weight, thousandths of `weight_unit`.
        pub weight_milli: Option<i64>,
        /// `kg` or `lb`.
        pub weight_unit: Option<String>,
        /// Planned duration in seconds.
        pub duration_secs: Option<i32>,
        /// Planned distance in millimetres.
        pub distance_mm: Option<i64>,
        /// Repetitions done.
        pub actual_reps: Option<i32>,
        /// Weight used, thousandths of `actual_weight_unit`.
        pub actual_weight_milli: Option<i64>,
        /// `kg` or `lb`.
        pub actual_weight_unit: Option<String>,
        /// Duration done, seconds.
        pub actual_duration_secs: Option<i32>,
        /// Distance done, millimetres.
        pub actual_distance_mm: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `fitness_comments`: remarks on a workout.
pub mod comments {
    use sea_orm::entity::prelude::*;

    /// A comment.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_comments")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The workout.
        pub workout_id: i64,
        /// Who wrote it (the workout's owner).
        pub author_id: Uuid,
        /// Text.
        pub body: String,
        /// Creation time.
        pub created_at: DateTimeUtc,
        /// Last change.
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `fitness_schedules`: recurring rules that generated workouts.
pub mod schedules {
    use sea_orm::entity::prelude::*;

    /// A recurring schedule.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fitness_schedules")]
    pub struct Model {
        /// Numeric id.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The account.
        pub owner_id: Uuid,
        /// The rule as the client sent it (JSON), for display.
        pub rule: String,
        /// Creation time.
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
