//! Schema of the fitness tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.

use chrono::Utc;
use groundwork_platform::db::schema::timestamp;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::catalogue::EXERCISES;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FitnessExercises {
    Table,
    Id,
    OwnerId,
    Name,
    NameKey,
    Description,
    Category,
    MuscleGroup,
    CreatedAt,
    UpdatedAt,
}

/// All fitness migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(CreateExercises),
        Box::new(crate::migrations_workouts::CreateWorkouts),
        Box::new(crate::migrations_local_date::AddLocalDate),
    ]
}

/// The exercise table, its uniqueness rules, and the built-in catalogue.
pub struct CreateExercises;

impl MigrationName for CreateExercises {
    fn name(&self) -> &str {
        "m20261121_000001_create_fitness_exercises"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateExercises {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FitnessExercises::Table)
                    .col(
                        ColumnDef::new(FitnessExercises::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(FitnessExercises::OwnerId).uuid().null())
                    .col(
                        ColumnDef::new(FitnessExercises::Name)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FitnessExercises::NameKey)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FitnessExercises::Description)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FitnessExercises::Category)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FitnessExercises::MuscleGroup)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(timestamp(FitnessExercises::CreatedAt))
                    .col(timestamp(FitnessExercises::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FitnessExercises::Table, FitnessExercises::OwnerId)
                            .to(AuthUsers::Table, AuthUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Names are unique within the catalogue and within each account's own exercises
        // (a private "Bench Press" may shadow the catalogue's). Partial indexes, in SQL
        // that SQLite and PostgreSQL both accept.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_fitness_exercises_catalogue_name \
             ON fitness_exercises (name_key) WHERE owner_id IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_fitness_exercises_owner_name \
             ON fitness_exercises (owner_id, name_key) WHERE owner_id IS NOT NULL",
        )
        .await?;
        let now = Utc::now();
        let mut insert = Query::insert()
            .into_table(FitnessExercises::Table)
            .columns([
                FitnessExercises::Name,
                FitnessExercises::NameKey,
                FitnessExercises::Description,
                FitnessExercises::Category,
                FitnessExercises::MuscleGroup,
                FitnessExercises::CreatedAt,
                FitnessExercises::UpdatedAt,
            ])
            .to_owned();
        for (name, category, muscle_group, description) in EXERCISES {
            insert.values_panic([
                (*name).into(),
                name.to_lowercase().into(),
                (*description).into(),
                (*category).into(),
                (*muscle_group).into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute(&insert).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FitnessExercises::Table).to_owned())
            .await
    }
}
