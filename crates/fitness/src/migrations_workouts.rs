//! The second fitness migration: workouts, their ordered exercises and sets, comments,
//! and recurring schedules.

use groundwork_platform::db::schema::timestamp;
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FitnessExercises {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FitnessSchedules {
    Table,
    Id,
    OwnerId,
    Rule,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FitnessWorkouts {
    Table,
    Id,
    OwnerId,
    Name,
    ScheduledAt,
    TimeZone,
    Status,
    Notes,
    ScheduleId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FitnessWorkoutExercises {
    Table,
    Id,
    WorkoutId,
    ExerciseId,
    Position,
    Notes,
}

#[derive(DeriveIden)]
enum FitnessSets {
    Table,
    Id,
    WorkoutExerciseId,
    Position,
    Reps,
    WeightMilli,
    WeightUnit,
    DurationSecs,
    DistanceMm,
    ActualReps,
    ActualWeightMilli,
    ActualWeightUnit,
    ActualDurationSecs,
    ActualDistanceMm,
}

#[derive(DeriveIden)]
enum FitnessComments {
    Table,
    Id,
    WorkoutId,
    AuthorId,
    Body,
    CreatedAt,
    UpdatedAt,
}

fn id(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(action)
        .to_owned()
}

/// Workouts and everything hanging off them.
pub struct CreateWorkouts;

impl MigrationName for CreateWorkouts {
    fn name(&self) -> &str {
        "m20261121_000002_create_fitness_workouts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateWorkouts {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use FitnessSets as S;
        use FitnessWorkoutExercises as WE;
        use FitnessWorkouts as W;
        manager
            .create_table(
                Table::create()
                    .table(FitnessSchedules::Table)
                    .col(id(FitnessSchedules::Id))
                    .col(ColumnDef::new(FitnessSchedules::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(FitnessSchedules::Rule).text().not_null())
                    .col(timestamp(FitnessSchedules::CreatedAt))
                    .foreign_key(&mut cascade(
                        (FitnessSchedules::Table, FitnessSchedules::OwnerId),
                        (AuthUsers::Table, AuthUsers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(W::Table)
                    .col(id(W::Id))
                    .col(ColumnDef::new(W::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(W::Name).string_len(200).not_null())
                    .col(timestamp(W::ScheduledAt))
                    .col(ColumnDef::new(W::TimeZone).string_len(64).not_null())
                    .col(ColumnDef::new(W::Status).string_len(16).not_null())
                    .col(ColumnDef::new(W::Notes).text().not_null())
                    .col(ColumnDef::new(W::ScheduleId).big_integer().null())
                    .col(timestamp(W::CreatedAt))
                    .col(timestamp(W::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (W::Table, W::OwnerId),
                        (AuthUsers::Table, AuthUsers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut cascade(
                        (W::Table, W::ScheduleId),
                        (FitnessSchedules::Table, FitnessSchedules::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WE::Table)
                    .col(id(WE::Id))
                    .col(ColumnDef::new(WE::WorkoutId).big_integer().not_null())
                    .col(ColumnDef::new(WE::ExerciseId).big_integer().not_null())
                    .col(ColumnDef::new(WE::Position).integer().not_null())
                    .col(ColumnDef::new(WE::Notes).text().not_null())
                    .foreign_key(&mut cascade(
                        (WE::Table, WE::WorkoutId),
                        (W::Table, W::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // An exercise in use cannot be deleted (409), so history stays whole.
                    .foreign_key(&mut cascade(
                        (WE::Table, WE::ExerciseId),
                        (FitnessExercises::Table, FitnessExercises::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        let mut sets = Table::create()
            .table(S::Table)
            .col(id(S::Id))
            .col(
                ColumnDef::new(S::WorkoutExerciseId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(S::Position).integer().not_null())
            .foreign_key(&mut cascade(
                (S::Table, S::WorkoutExerciseId),
                (WE::Table, WE::Id),
                ForeignKeyAction::Cascade,
            ))
            .to_owned();
        for column in [
            S::Reps,
            S::DurationSecs,
            S::ActualReps,
            S::ActualDurationSecs,
        ] {
            sets.col(ColumnDef::new(column).integer().null());
        }
        for column in [
            S::WeightMilli,
            S::DistanceMm,
            S::ActualWeightMilli,
            S::ActualDistanceMm,
        ] {
            sets.col(ColumnDef::new(column).big_integer().null());
        }
        for column in [S::WeightUnit, S::ActualWeightUnit] {
            sets.col(ColumnDef::new(column).string_len(2).null());
        }
        manager.create_table(sets).await?;
        manager
            .create_table(
                Table::create()
                    .table(FitnessComments::Table)
                    .col(id(FitnessComments::Id))
                    .col(
                        ColumnDef::new(FitnessComments::WorkoutId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(FitnessComments::AuthorId).uuid().not_null())
                    .col(ColumnDef::new(FitnessComments::Body).text().not_null())
                    .col(timestamp(FitnessComments::CreatedAt))
                    .col(timestamp(FitnessComments::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (FitnessComments::Table, FitnessComments::WorkoutId),
                        (W::Table, W::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut cascade(
                        (FitnessComments::Table, FitnessComments::AuthorId),
                        (AuthUsers::Table, AuthUsers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            (
                "idx_fitness_workouts_owner_scheduled",
                W::Table.into_iden(),
                vec![
                    W::OwnerId.into_iden(),
                    W::ScheduledAt.into_iden(),
                    W::Id.into_iden(),
                ],
            ),
            (
                "idx_fitness_workouts_owner_status",
                W::Table.into_iden(),
                vec![
                    W::OwnerId.into_iden(),
                    W::Status.into_iden(),
                    W::ScheduledAt.into_iden(),
                ],
            ),
            (
                "idx_fitness_workout_exercises_workout",
                WE::Table.into_iden(),
                vec![WE::WorkoutId.into_iden(), WE::Position.into_iden()],
            ),
            (
                "idx_fitness_workout_exercises_exercise",
                WE::Table.into_iden(),
                vec![WE::ExerciseId.into_iden()],
            ),
            (
                "idx_fitness_sets_workout_exercise",
                S::Table.into_iden(),
                vec![S::WorkoutExerciseId.into_iden(), S::Position.into_iden()],
            ),
            (
                "idx_fitness_comments_workout",
                FitnessComments::Table.into_iden(),
                vec![
                    FitnessComments::WorkoutId.into_iden(),
                    FitnessComments::Id.into_iden(),
                ],
            ),
        ] {
            let mut index = Index::create().name(name).table(table).to_owned();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FitnessComments::Table.into_iden(),
            FitnessSets::Table.into_iden(),
            FitnessWorkoutExercises::Table.into_iden(),
            FitnessWorkouts::Table.into_iden(),
            FitnessSchedules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
