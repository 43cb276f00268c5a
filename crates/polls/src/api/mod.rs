//! The `/polls` HTTP API.

pub mod handlers;
pub mod live;
pub mod request;
pub mod response;
