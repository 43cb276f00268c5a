//! The third fitness migration: each workout's local calendar date (in the zone it was
//! scheduled in), so that reports bucket by local day and week inside the database,
//! right across DST changes, without time-zone tables in SQL.

use chrono_tz::Tz;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(DeriveIden)]
enum FitnessWorkouts {
    Table,
    Id,
    OwnerId,
    ScheduledAt,
    TimeZone,
    LocalDate,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    scheduled_at: chrono::DateTime<chrono::Utc>,
    time_zone: String,
}

/// Adds and fills `fitness_workouts.local_date`.
pub struct AddLocalDate;

impl MigrationName for AddLocalDate {
    fn name(&self) -> &str {
        "m20261121_000003_fitness_workout_local_date"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddLocalDate {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FitnessWorkouts::Table)
                    .add_column(ColumnDef::new(FitnessWorkouts::LocalDate).date().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let select = Query::select()
            .columns([
                FitnessWorkouts::Id,
                FitnessWorkouts::ScheduledAt,
                FitnessWorkouts::TimeZone,
            ])
            .from(FitnessWorkouts::Table)
            .to_owned();
        let rows = Row::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?;
        for row in rows {
            let zone: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
            let local = row.scheduled_at.with_timezone(&zone).date_naive();
            let update = Query::update()
                .table(FitnessWorkouts::Table)
                .value(FitnessWorkouts::LocalDate, local)
                .and_where(Expr::col(FitnessWorkouts::Id).eq(row.id))
                .to_owned();
            db.execute(&update).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_fitness_workouts_owner_local_date")
                    .table(FitnessWorkouts::Table)
                    .col(FitnessWorkouts::OwnerId)
                    .col(FitnessWorkouts::LocalDate)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_fitness_workouts_owner_local_date")
                    .table(FitnessWorkouts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(FitnessWorkouts::Table)
                    .drop_column(FitnessWorkouts::LocalDate)
                    .to_owned(),
            )
            .await
    }
}
