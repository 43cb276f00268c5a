//! Notes: checked inputs, their texts in blob storage, their rows and search index.

pub mod blobs;
pub mod domain;
pub mod repo;
pub mod search;
