//! User authentication, shared by every system: accounts with Argon2id passwords,
//! short-lived JWT access tokens, rotating refresh tokens with reuse detection, roles,
//! and the `/auth` API (seed 004's "user authentication system").

pub mod email;
pub mod entities;
pub mod extract;
pub mod migrations;
pub mod password;
pub mod repo;
pub mod role;
pub mod routes;
pub mod service;
pub mod tokens;

use std::time::Duration;

use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

use crate::Platform;
use crate::system::{BackgroundTask, BoxError, System};

pub use extract::{Admin, AuthUser, MaybeUser};
pub use service::{AuthService, Session, User};

/// The `/auth` system.
pub struct AuthSystem;

impl System for AuthSystem {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn default_mount(&self) -> &'static str {
        "/auth"
    }

    fn description(&self) -> &'static str {
        "User accounts: register, log in, refresh and revoke sessions, roles."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        Ok(routes::router(platform.auth().clone()))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }

    fn background_tasks(&self, platform: &Platform) -> Vec<BackgroundTask> {
        let auth = platform.auth().clone();
        vec![BackgroundTask::periodic(
            "purge expired refresh tokens",
            Duration::from_secs(3600),
            move || {
                let auth = auth.clone();
                async move {
                    match auth.purge_expired_refresh_tokens().await {
                        Ok(0) => {}
                        Ok(count) => tracing::info!(count, "purged expired refresh tokens"),
                        Err(error) => {
                            tracing::warn!(%error, "purging expired refresh tokens failed")
                        }
                    }
                }
            },
        )]
    }
}
