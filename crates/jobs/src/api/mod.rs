//! The HTTP API of `/jobs`: handlers, request and response shapes.

pub mod handlers;
pub mod request;
pub mod response;

use sea_orm::DatabaseConnection;

use crate::kinds::Checks;

/// The handlers' state.
#[derive(Clone)]
pub struct JobsApi {
    pub(crate) db: DatabaseConnection,
    pub(crate) checks: std::sync::Arc<Checks>,
}

impl JobsApi {
    /// State over the platform's pool.
    pub fn new(db: DatabaseConnection, checks: Checks) -> Self {
        Self {
            db,
            checks: std::sync::Arc::new(checks),
        }
    }
}
