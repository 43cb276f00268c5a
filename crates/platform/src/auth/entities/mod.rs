//! SeaORM entities of the auth tables. Only `repo.rs` uses them.

pub mod refresh_tokens;
pub mod users;
