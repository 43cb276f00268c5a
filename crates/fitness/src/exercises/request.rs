//! Request shapes of `/exercises` and their checks.

use groundwork_platform::error::checked_text as text;
use groundwork_platform::pagination::{Page, PageQuery};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{ExerciseFields, ExerciseFilter};
use crate::catalogue::{CATEGORIES, MUSCLE_GROUPS};

/// An exercise to add or the full new version of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExerciseRequest {
    /// 1 to 100 characters; unique among your exercises (or in the catalogue).
    name: String,
    /// Up to 2 000 characters.
    #[serde(default)]
    description: String,
    /// cardio, strength, flexibility or balance.
    category: String,
    /// chest, back, legs, shoulders, arms, core or full body.
    muscle_group: String,
    /// Add to the shared catalogue instead of your own exercises (admins only; on create).
    #[serde(default)]
    pub shared: bool,
}

fn one_of(field: &str, raw: &str, allowed: &[&'static str]) -> Result<&'static str, FieldError> {
    let raw = raw.trim().to_lowercase();
    allowed.iter().find(|a| **a == raw).copied().ok_or_else(|| {
        FieldError::new(
            field,
            "invalid",
            format!("must be one of {}", allowed.join(", ")),
        )
    })
}

impl ExerciseRequest {
    /// The checked fields.
    pub fn fields(&self) -> Result<ExerciseFields, ApiError> {
        let mut checks = FieldErrors::new();
        let name = checks.take(text("name", &self.name, 100, true));
        let description = checks.take(text("description", &self.description, 2_000, false));
        let category = checks.take(one_of("category", &self.category, &CATEGORIES));
        let muscle_group = checks.take(one_of("muscleGroup", &self.muscle_group, &MUSCLE_GROUPS));
        checks.finish(|| {
            Some(ExerciseFields {
                name: name?,
                description: description?,
                category: category?,
                muscle_group: muscle_group?,
            })
        })
    }
}

/// `GET /exercises` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExerciseQuery {
    /// Text in the name (case-insensitive).
    q: Option<String>,
    /// cardio, strength, flexibility or balance.
    category: Option<String>,
    /// A muscle group.
    muscle_group: Option<String>,
    /// `catalogue` (shared only), `custom` (yours only); both by default.
    source: Option<String>,
    /// 1-based page.
    page: Option<u64>,
    /// Per page, 1 to 100 (default 20).
    limit: Option<u64>,
}

impl ExerciseQuery {
    /// The checked filter and page.
    pub fn parse(self) -> Result<(ExerciseFilter, Page), ApiError> {
        let mut checks = FieldErrors::new();
        let page = PageQuery {
            page: self.page,
            limit: self.limit,
        }
        .page()
        .map_err(|e| checks.absorb(&e))
        .ok();
        let category = self
            .category
            .as_deref()
            .and_then(|c| checks.take(one_of("category", c, &CATEGORIES)));
        let muscle_group = self
            .muscle_group
            .as_deref()
            .and_then(|m| checks.take(one_of("muscleGroup", m, &MUSCLE_GROUPS)));
        let custom = match self.source.as_deref() {
            None => None,
            Some("catalogue") => Some(false),
            Some("custom") => Some(true),
            Some(_) => {
                checks.push(FieldError::new(
                    "source",
                    "invalid",
                    "source must be catalogue or custom",
                ));
                None
            }
        };
        let filter = ExerciseFilter {
            text: self
                .q
                .map(|q| q.trim().to_owned())
                .filter(|q| !q.is_empty()),
            category,
            muscle_group,
            custom,
        };
        checks.finish(|| Some((filter, page?)))
    }
}
