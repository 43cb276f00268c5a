//! Routes every Groundwork server has, whatever systems it mounts: `/hello`, health
//! probes, metrics, the OpenAPI document, the API reference and the landing page.

pub mod docs;
pub mod health;
pub mod hello;
pub mod landing;
pub mod metrics;
