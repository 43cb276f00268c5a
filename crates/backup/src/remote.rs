//! S3-compatible destinations (`--dest s3://bucket/prefix`). A backup is written to a local
//! staging folder as usual, then uploaded file by file with multipart uploads (streamed from
//! disk, never whole in memory), `manifest.json` last: an upload cut short has no manifest
//! and is never listed as good. Restores and verifies download a backup to staging first.
//! Credentials and the endpoint come from the usual `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL` for S3-compatible servers).

use std::io::Read as _;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use futures_util::TryStreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, WriteMultipart};

use crate::error::{BackupError, Result};
use crate::manifest::{self, Found, Manifest};

/// Bytes read from disk per multipart write.
const UPLOAD_CHUNK: usize = 8 * 1024 * 1024;

/// A bucket and a prefix in it.
#[derive(Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    prefix: String,
}

impl Remote {
    /// `s3://bucket/prefix` as a remote, or `None` for a local path.
    pub fn parse(location: &FsPath) -> Result<Option<Self>> {
        let Some(rest) = location
            .to_str()
            .and_then(|text| text.strip_prefix("s3://"))
        else {
            return Ok(None);
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(BackupError::usage(
                "an S3 destination needs a bucket: s3://bucket/prefix",
            ));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        let endpoint = std::env::var("AWS_ENDPOINT_URL").or_else(|_| std::env::var("AWS_ENDPOINT"));
        if let Ok(endpoint) = endpoint {
            // S3-compatible servers (MinIO, Ceph, moto) serve buckets as paths, often on http.
            builder = builder
                .with_endpoint(&endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(|error| {
            BackupError::usage(format!("cannot use s3://{bucket}: {error}"))
                .hint("set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (and AWS_ENDPOINT_URL for S3-compatible storage)")
        })?;
        Ok(Some(Self {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        }))
    }

    /// `s3://bucket/prefix/name`.
    pub fn url(&self, name: &str) -> String {
        let mut url = format!("s3://{}", self.bucket);
        for part in [self.prefix.as_str(), name] {
            if !part.is_empty() {
                url.push('/');
                url.push_str(part);
            }
        }
        url
    }

    fn key(&self, relative: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(relative)
        } else {
            Path::from(format!("{}/{relative}", self.prefix))
        }
    }

    fn failed(&self, doing: &str, error: &object_store::Error) -> BackupError {
        BackupError::failed(format!("cannot {doing} s3://{}: {error}", self.bucket))
            .hint("check the bucket, the AWS_* credentials and AWS_ENDPOINT_URL")
    }

    /// Uploads the backup folder `dir` as `<prefix>/<name>/...`, the manifest last.
    pub async fn upload(&self, dir: &FsPath, name: &str) -> Result {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)?;
        files.sort_by_key(|relative| relative == manifest::FILE);
        for relative in files {
            let key = self.key(&format!("{name}/{relative}"));
            let upload = self
                .store
                .put_multipart(&key)
                .await
                .map_err(|error| self.failed("upload to", &error))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, UPLOAD_CHUNK);
            let local = dir.join(&relative);
            let mut file = std::fs::File::open(&local)
                .map_err(|error| BackupError::io("read", &local, &error))?;
            let mut buffer = vec![0u8; UPLOAD_CHUNK];
            loop {
                writer
                    .wait_for_capacity(4)
                    .await
                    .map_err(|error| self.failed("upload to", &error))?;
                let read = file
                    .read(&mut buffer)
                    .map_err(|error| BackupError::io("read", &local, &error))?;
                if read == 0 {
                    break;
                }
                writer.write(&buffer[..read]);
            }
            writer
                .finish()
                .await
                .map_err(|error| self.failed("upload to", &error))?;
        }
        Ok(())
    }

    /// Downloads `<prefix>/<name>/...` into `into`.
    pub async fn download(&self, name: &str, into: &FsPath) -> Result {
        let root = self.key(name);
        let objects: Vec<_> = self
            .store
            .list(Some(&root))
            .try_collect()
            .await
            .map_err(|error| self.failed("list", &error))?;
        if objects.is_empty() {
            return Err(
                BackupError::failed(format!("{} holds no backup", self.url(name)))
                    .hint("dbbackup list --dest s3://bucket/prefix shows the backups there"),
            );
        }
        for object in objects {
            let Some(relative) = object.location.prefix_match(&root) else {
                continue;
            };
            let relative: Vec<String> = relative.map(|part| part.as_ref().to_owned()).collect();
            let local = relative
                .iter()
                .fold(into.to_path_buf(), |path, part| path.join(part));
            if let Some(parent) = local.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|error| BackupError::io("create", parent, &error))?;
            }
            let mut stream = self
                .store
                .get(&object.location)
                .await
                .map_err(|error| self.failed("download from", &error))?
                .into_stream();
            let mut file = std::fs::File::create(&local)
                .map_err(|error| BackupError::io("write", &local, &error))?;
            while let Some(chunk) = stream
                .try_next()
                .await
                .map_err(|error| self.failed("download from", &error))?
            {
                std::io::Write::write_all(&mut file, &chunk)
                    .map_err(|error| BackupError::io("write", &local, &error))?;
            }
        }
        Ok(())
    }

    /// Every backup under the prefix, oldest first, as `list` shows them.
    pub async fn scan(&self) -> Result<Vec<Found>> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let listed = self
            .store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(|error| self.failed("list", &error))?;
        let mut found = Vec::new();
        for folder in listed.common_prefixes {
            let Some(name) = folder.filename().map(str::to_owned) else {
                continue;
            };
            let manifest = match self
                .store
                .get(&self.key(&format!("{name}/{}", manifest::FILE)))
                .await
            {
                Ok(got) => match got.bytes().await {
                    Ok(bytes) => serde_json::from_slice::<Manifest>(&bytes)
                        .map_err(|error| format!("damaged manifest: {error}")),
                    Err(error) => Err(error.to_string()),
                },
                Err(object_store::Error::NotFound { .. }) => {
                    Err("no manifest: the run or its upload was interrupted".to_owned())
                }
                Err(error) => Err(error.to_string()),
            };
            found.push(Found {
                dir: PathBuf::from(self.url(&name)),
                manifest,
            });
        }
        found.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(found)
    }

    /// Deletes `<prefix>/<name>/...`.
    pub async fn delete(&self, name: &str) -> Result {
        let objects: Vec<_> = self
            .store
            .list(Some(&self.key(name)))
            .try_collect()
            .await
            .map_err(|error| self.failed("list", &error))?;
        for object in objects {
            self.store
                .delete(&object.location)
                .await
                .map_err(|error| self.failed("delete from", &error))?;
        }
        Ok(())
    }
}

/// A backup to read: a local folder as it is, a `.tar` archive unpacked, or
/// `s3://bucket/prefix/name` downloaded, to a staging folder (kept while the returned
/// [`Staging`] lives).
pub async fn fetch(location: &FsPath) -> Result<(PathBuf, Option<Staging>)> {
    if crate::archive::is_archive(location) && location.is_file() {
        let (dir, staging) = crate::archive::unpack(location)?;
        return Ok((dir, Some(staging)));
    }
    let Some(text) = location.to_str().filter(|text| text.starts_with("s3://")) else {
        return Ok((location.to_path_buf(), None));
    };
    let trimmed = text.trim_end_matches('/');
    let (parent, name) = trimmed
        .rsplit_once('/')
        .filter(|(parent, _)| *parent != "s3:/")
        .ok_or_else(|| {
            BackupError::usage(format!("{text} names no backup"))
                .hint("give s3://bucket/prefix/<backup name>, as dbbackup list shows it")
        })?;
    let remote = Remote::parse(FsPath::new(parent))?
        .ok_or_else(|| BackupError::usage(format!("{text} is not an S3 location")))?;
    let staging = Staging::new()?;
    let dir = staging.path.join(name);
    remote.download(name, &dir).await?;
    Ok((dir, Some(staging)))
}

fn collect_files(root: &FsPath, dir: &FsPath, out: &mut Vec<String>) -> Result {
    let entries = std::fs::read_dir(dir).map_err(|error| BackupError::io("read", dir, &error))?;
    for entry in entries {
        let path = entry
            .map_err(|error| BackupError::io("read", dir, &error))?
            .path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// A local folder for a backup on its way to or from S3, removed when dropped.
pub struct Staging {
    /// The folder.
    pub path: PathBuf,
}

impl Staging {
    /// A new folder under `DBBACKUP_STAGING` or the system's temporary folder.
    pub fn new() -> Result<Self> {
        let base =
            std::env::var_os("DBBACKUP_STAGING").map_or_else(std::env::temp_dir, PathBuf::from);
        let path = base.join(format!(
            "dbbackup-{}-{}",
            std::process::id(),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f")
        ));
        std::fs::create_dir_all(&path).map_err(|error| {
            BackupError::io("create", &path, &error)
                .hint("set DBBACKUP_STAGING to a folder with room for one backup")
        })?;
        Ok(Self { path })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
