//! `/exercises`: the shared catalogue (filled by a migration, edited by admins) and each
//! account's private exercises. A private exercise is invisible to everyone else: someone
//! else's id answers 404, exactly like an unknown one.

mod handlers;
mod repo;
mod request;

use chrono::{DateTime, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::service::AuthService;
use groundwork_platform::auth::{AuthUser, role};
use groundwork_platform::db::{is_foreign_key_violation, is_unique_violation};
use groundwork_platform::pagination::{Page, Paginated};
use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entities::exercises;

pub use request::{ExerciseQuery, ExerciseRequest};

/// The exercise routes.
pub fn router(service: ExerciseService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_exercises, handlers::create_exercise))
        .routes(routes!(
            handlers::get_exercise,
            handlers::update_exercise,
            handlers::delete_exercise
        ))
        .with_state(service)
}

/// An exercise.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExerciseResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// How to do it.
    pub description: String,
    /// cardio, strength, flexibility or balance.
    pub category: String,
    /// chest, back, legs, shoulders, arms, core or full body.
    pub muscle_group: String,
    /// `true` for your private exercises, `false` for the shared catalogue.
    pub custom: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<exercises::Model> for ExerciseResponse {
    fn from(row: exercises::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            category: row.category,
            muscle_group: row.muscle_group,
            custom: row.owner_id.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Checked exercise fields.
#[derive(Clone, Debug)]
pub struct ExerciseFields {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: &'static str,
    /// Muscle group.
    pub muscle_group: &'static str,
}

/// A checked list filter.
#[derive(Clone, Debug, Default)]
pub struct ExerciseFilter {
    /// Text in the name.
    pub text: Option<String>,
    /// Category.
    pub category: Option<&'static str>,
    /// Muscle group.
    pub muscle_group: Option<&'static str>,
    /// Only the catalogue (`Some(false)`), only one's own (`Some(true)`), or both.
    pub custom: Option<bool>,
}

/// Exercises: a pool and the auth service (to check an admin's current role).
#[derive(Clone)]
pub struct ExerciseService {
    db: DatabaseConnection,
    auth: AuthService,
}

fn name_taken(error: DbErr) -> ApiError {
    if is_unique_violation(&error) {
        ApiError::conflict("name_taken", "an exercise with this name already exists")
    } else {
        error.into()
    }
}

impl ExerciseService {
    /// A service over this pool.
    pub fn new(db: DatabaseConnection, auth: AuthService) -> Self {
        Self { db, auth }
    }

    /// 403 unless the account is an admin now (its token's role may be minutes old).
    async fn require_admin(&self, user: &AuthUser) -> Result<(), ApiError> {
        let current = self.auth.current_user(user.id).await?;
        if current.role == role::ADMIN {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "only admins may change the shared catalogue",
            ))
        }
    }

    /// A page of the exercises `viewer` can see (the catalogue, plus their own).
    pub async fn list(
        &self,
        viewer: Option<&AuthUser>,
        filter: &ExerciseFilter,
        page: Page,
    ) -> Result<Paginated<ExerciseResponse>, ApiError> {
        let (rows, total) = repo::page(&self.db, viewer.map(|v| v.id), filter, page).await?;
        Ok(Paginated::new(
            rows.into_iter().map(Into::into).collect(),
            page,
            total,
        ))
    }

    /// One exercise `viewer` can see.
    pub async fn get(
        &self,
        viewer: Option<&AuthUser>,
        id: i64,
    ) -> Result<ExerciseResponse, ApiError> {
        repo::find_visible(&self.db, viewer.map(|v| v.id), id)
            .await?
            .map(Into::into)
            .ok_or_else(|| ApiError::not_found("exercise"))
    }

    /// Adds a private exercise, or (`shared`, admins only) a catalogue entry.
    pub async fn create(
        &self,
        user: &AuthUser,
        fields: ExerciseFields,
        shared: bool,
    ) -> Result<ExerciseResponse, ApiError> {
        if shared {
            self.require_admin(user).await?;
        }
        let owner = (!shared).then_some(user.id);
        repo::insert(&self.db, owner, fields)
            .await
            .map(Into::into)
            .map_err(name_taken)
    }

    /// Changes one of the caller's exercises, or a catalogue entry (admins only).
    pub async fn update(
        &self,
        user: &AuthUser,
        id: i64,
        fields: ExerciseFields,
    ) -> Result<ExerciseResponse, ApiError> {
        let row = self.changeable(user, id).await?;
        repo::update(&self.db, row, fields)
            .await
            .map_err(name_taken)?
            .map(Into::into)
            .ok_or_else(|| ApiError::not_found("exercise"))
    }

    /// Deletes one of the caller's exercises, or a catalogue entry (admins only).
    pub async fn delete(&self, user: &AuthUser, id: i64) -> Result<(), ApiError> {
        let row = self.changeable(user, id).await?;
        repo::delete(&self.db, row.id).await.map_err(|error| {
            if is_foreign_key_violation(&error) {
                ApiError::conflict(
                    "exercise_in_use",
                    "workouts use this exercise; remove it from them first",
                )
            } else {
                error.into()
            }
        })
    }

    async fn changeable(&self, user: &AuthUser, id: i64) -> Result<exercises::Model, ApiError> {
        let row = repo::find_visible(&self.db, Some(user.id), id)
            .await?
            .ok_or_else(|| ApiError::not_found("exercise"))?;
        if row.owner_id.is_none() {
            self.require_admin(user).await?;
        }
        Ok(row)
    }
}
