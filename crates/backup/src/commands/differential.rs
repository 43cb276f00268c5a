//! `backup --differential-from <full backup>`: a backup that stores only the tables whose
//! content changed since a full backup in the same folder, and refers to the full backup's
//! files for the rest. "Changed" is decided by the tables' order-independent checksums, so
//! every table is still read (that is how the change is found); what is saved is the disk
//! space and upload of the unchanged ones.

use std::path::Path;

use crate::error::{BackupError, Result};
use crate::files::Compression;
use crate::manifest::{Manifest, TableEntry};
use crate::target::Target;

use super::verify::complete_manifest;

/// The full backup a differential one refers to.
pub struct Base {
    /// Its folder's name (a sibling of the new backup).
    pub name: String,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Checks that `from` is a complete, full backup of this database, in `dest`, with the
/// same compression.
pub fn base(from: &Path, dest: &Path, target: &Target, compression: Compression) -> Result<Base> {
    let manifest = complete_manifest(from)?;
    let bad = |why: String| {
        BackupError::usage(format!(
            "{} cannot be the base of a differential backup: {why}",
            from.display()
        ))
    };
    if let Some(base) = &manifest.based_on {
        return Err(bad(format!("it is itself a differential backup of {base}"))
            .hint("take differential backups against a full backup"));
    }
    if manifest.engine != target.engine().name() || manifest.database != target.database() {
        return Err(bad(format!(
            "it is a backup of {} database {}",
            manifest.engine, manifest.database
        )));
    }
    if manifest.compression != compression {
        return Err(bad(format!(
            "it is compressed with {:?}; pass the same --compression",
            manifest.compression
        )));
    }
    let name = sibling_name(from, dest).map_err(|why| {
        bad(why)
            .hint("a differential backup lives beside its full backup, which it refers to by name")
    })?;
    Ok(Base { name, manifest })
}

/// The folder name of `from`, which must be a backup in `dest` (a backup that depends on
/// another refers to it by name, beside it).
pub fn sibling_name(from: &Path, dest: &Path) -> std::result::Result<String, String> {
    let parent = |path: &Path| {
        std::fs::canonicalize(path)
            .ok()
            .and_then(|path| path.parent().map(Path::to_path_buf))
    };
    let dest = std::fs::canonicalize(dest).ok();
    if parent(from).is_none() || parent(from) != dest {
        return Err("it is not in the --dest folder".to_owned());
    }
    from.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| "it has no folder name".to_owned())
}

/// Deletes the new data files of tables unchanged since `base` and points their entries
/// at the base's files. Returns how many tables were unchanged.
pub fn reference_unchanged(dir: &Path, tables: &mut [TableEntry], base: &Base) -> Result<usize> {
    let mut unchanged = 0;
    for entry in tables.iter_mut() {
        let Some(old) = base.manifest.tables.iter().find(|old| {
            old.name == entry.name
                && old.checksum == entry.checksum
                && old.rows == entry.rows
                && old.encoding == entry.encoding
                && old.columns == entry.columns
                && old.rowid == entry.rowid
        }) else {
            continue;
        };
        let new_file = dir.join(&entry.file);
        std::fs::remove_file(&new_file)
            .map_err(|error| BackupError::io("delete", &new_file, &error))?;
        entry.file.clone_from(&old.file);
        entry.bytes = old.bytes;
        entry.sha256.clone_from(&old.sha256);
        entry.base = Some(base.name.clone());
        unchanged += 1;
    }
    Ok(unchanged)
}
