//! The books API over real HTTP, and its file store directly.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod crud;
mod file;
mod support;
