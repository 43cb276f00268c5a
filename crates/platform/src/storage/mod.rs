//! Blob storage: bytes under string keys, in a directory under the data directory by
//! default, in an S3-compatible bucket when `[storage]` names one. Both go through
//! `object_store`, so the two backends share one code path and one contract test suite.
//!
//! Keys are the caller's to make collision-free (content hashes, UUIDs). Writes are
//! atomic on both backends: the local store writes a temporary file, fsyncs it and
//! renames it into place, so a crash mid-write leaves the old object or none, never half
//! of one; S3 makes an object visible only once its upload completes.

mod settings;

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

pub use settings::{StorageBackend, StorageSettings};

/// A failure of blob storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The configuration cannot work (a missing bucket name, a bad key).
    #[error("blob storage: {0}")]
    Config(String),
    /// The backend refused or failed.
    #[error("blob storage ({backend}): {source}")]
    Backend {
        /// `local` or `s3`.
        backend: &'static str,
        /// What it said.
        source: object_store::Error,
    },
}

/// An object's key, size and age, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    /// The key it was stored under.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written.
    pub last_modified: chrono::DateTime<chrono::Utc>,
}

/// The platform's blob store; cheap to clone.
#[derive(Clone, Debug)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    backend: StorageBackend,
}

impl BlobStore {
    /// The store the settings describe. `data_dir` holds the local store by default.
    pub fn from_settings(
        settings: &StorageSettings,
        data_dir: &std::path::Path,
    ) -> Result<Self, StorageError> {
        let backend = settings.resolved_backend();
        let store: Arc<dyn ObjectStore> = match backend {
            StorageBackend::Local | StorageBackend::Auto => {
                let dir = settings
                    .dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("blobs"));
                std::fs::create_dir_all(&dir).map_err(|e| {
                    StorageError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                let local = LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|source| StorageError::Backend {
                        backend: "local",
                        source,
                    })?
                    .with_fsync(true)
                    .with_automatic_cleanup(true);
                Arc::new(local)
            }
            StorageBackend::S3 => Arc::new(s3_store(settings)?),
        };
        let inner = match settings.prefix.trim_matches('/') {
            "" => store,
            prefix => Arc::new(PrefixStore::new(store, prefix)),
        };
        Ok(Self { inner, backend })
    }

    /// `local` or `s3`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            StorageBackend::S3 => "s3",
            StorageBackend::Local | StorageBackend::Auto => "local",
        }
    }

    /// Stores `bytes` under `key`, replacing any object there, atomically.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        let path = self.path(key)?;
        self.inner
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|source| self.failed(source))?;
        Ok(())
    }

    /// The object under `key`, or `None` if there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        let path = self.path(key)?;
        let result = match self.inner.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(source) => return Err(self.failed(source)),
        };
        result
            .bytes()
            .await
            .map(Some)
            .map_err(|source| self.failed(source))
    }

    /// Deletes the object under `key`; deleting a missing object succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(self.failed(source)),
        }
    }

    /// Every object whose key starts with `prefix/` (a whole path segment).
    pub async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, StorageError> {
        let path = self.path(prefix)?;
        self.inner
            .list(Some(&path))
            .map_ok(|meta| BlobMeta {
                key: meta.location.to_string(),
                size: meta.size,
                last_modified: meta.last_modified,
            })
            .try_collect()
            .await
            .map_err(|source| self.failed(source))
    }

    /// Whether the store answers (for `/readyz`): a listing of an empty prefix.
    pub async fn check(&self) -> Result<(), StorageError> {
        let probe = Path::from("groundwork-readiness-probe");
        self.inner
            .list(Some(&probe))
            .try_next()
            .await
            .map(|_| ())
            .map_err(|source| self.failed(source))
    }

    fn path(&self, key: &str) -> Result<Path, StorageError> {
        Path::parse(key).map_err(|e| StorageError::Config(format!("invalid key {key:?}: {e}")))
    }

    fn failed(&self, source: object_store::Error) -> StorageError {
        StorageError::Backend {
            backend: self.backend_name(),
            source,
        }
    }
}

fn s3_store(settings: &StorageSettings) -> Result<object_store::aws::AmazonS3, StorageError> {
    let bucket = settings
        .s3_bucket
        .as_deref()
        .ok_or_else(|| StorageError::Config("storage.s3_bucket is not set".into()))?;
    // The usual AWS_* variables first; explicit settings win over them.
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_allow_http(settings.s3_allow_http);
    if let Some(region) = &settings.s3_region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &settings.s3_endpoint {
        // S3-compatible servers (MinIO, moto, Ceph) usually serve buckets as paths.
        builder = builder
            .with_endpoint(endpoint)
            .with_virtual_hosted_style_request(false);
    }
    if let Some(key) = &settings.s3_access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &settings.s3_secret_access_key {
        builder = builder.with_secret_access_key(secret.expose());
    }
    builder.build().map_err(|source| StorageError::Backend {
        backend: "s3",
        source,
    })
}
