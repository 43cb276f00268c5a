//! The `[storage]` settings (`GROUNDWORK__STORAGE__*`).

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::Secret;

/// Where blobs go.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StorageSettings {
    /// `auto` (the default): S3 when `s3_bucket` is set, else the local directory.
    pub backend: StorageBackend,
    /// The local directory (default: `blobs` in the data directory).
    pub dir: Option<PathBuf>,
    /// A key prefix for everything this deployment stores (several deployments can
    /// share one bucket).
    pub prefix: String,
    /// The S3 bucket.
    pub s3_bucket: Option<String>,
    /// The S3 region (default: `AWS_REGION`, else `us-east-1`).
    pub s3_region: Option<String>,
    /// An S3-compatible endpoint (MinIO, Ceph, moto): `http://127.0.0.1:9000`.
    pub s3_endpoint: Option<String>,
    /// Allow a plain-HTTP endpoint (local servers only).
    pub s3_allow_http: bool,
    /// Access key id (default: `AWS_ACCESS_KEY_ID`).
    pub s3_access_key_id: Option<String>,
    /// Secret key (default: `AWS_SECRET_ACCESS_KEY`).
    pub s3_secret_access_key: Option<Secret>,
}

/// See [`StorageSettings::backend`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// Chosen from what is set.
    #[default]
    Auto,
    /// A directory on this machine (one instance, or a shared volume).
    Local,
    /// An S3-compatible bucket (any number of instances).
    S3,
}

impl StorageSettings {
    /// The backend `auto` resolves to.
    pub fn resolved_backend(&self) -> StorageBackend {
        match self.backend {
            StorageBackend::Auto if self.s3_bucket.is_some() => StorageBackend::S3,
            StorageBackend::Auto => StorageBackend::Local,
            chosen => chosen,
        }
    }
}
