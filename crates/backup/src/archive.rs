//! `--format tar`: a backup as one file, `<name>.tar`, holding the backup folder
//! (`<name>/manifest.json` first, then the schema and the data files, already compressed).
//! It is made from a complete folder in a staging area, written as `<name>.tar.partial`,
//! synced and renamed, so an archive that is in place is complete. `restore`, `verify` and
//! `list` read it: the first two unpack it into a staging folder, `list` reads only the
//! manifest at its start.

use std::fs::File;
use std::io::{BufWriter, Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{BackupError, Result};
use crate::manifest::{FILE, Manifest};
use crate::remote::Staging;

/// The file name ending of an archive.
pub const SUFFIX: &str = ".tar";

/// Whether `path` names an archive (by its name: it need not exist yet).
pub fn is_archive(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "tar")
}

/// Packs the folder `source` (a complete backup named `name`) into `<dest>/<name>.tar`.
/// Returns the archive's path.
pub fn pack(source: &Path, dest: &Path, name: &str) -> Result<PathBuf> {
    let path = dest.join(format!("{name}{SUFFIX}"));
    let partial = dest.join(format!("{name}{SUFFIX}.partial"));
    let write = || -> std::io::Result<()> {
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&partial)?;
        let mut builder = tar::Builder::new(BufWriter::new(file));
        builder.mode(tar::HeaderMode::Deterministic);
        // The manifest first, so `list` reads it without going through the data.
        builder.append_path_with_name(source.join(FILE), format!("{name}/{FILE}"))?;
        for entry in ["schema", "data"] {
            if source.join(entry).is_dir() {
                builder.append_dir_all(format!("{name}/{entry}"), source.join(entry))?;
            }
        }
        for file in std::fs::read_dir(source)? {
            let file = file?;
            let file_name = file.file_name().to_string_lossy().into_owned();
            if file.path().is_file() && file_name != FILE {
                builder.append_path_with_name(file.path(), format!("{name}/{file_name}"))?;
            }
        }
        let mut out = builder.into_inner()?;
        out.flush()?;
        out.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()?;
        std::fs::rename(&partial, &path)?;
        crate::manifest::sync_dir(dest)
    };
    write().map_err(|error| BackupError::io("write", &partial, &error))?;
    Ok(path)
}

/// Unpacks an archive into a new staging folder; returns the backup folder in it.
pub fn unpack(path: &Path) -> Result<(PathBuf, Staging)> {
    let name = backup_name(path)?;
    let staging = Staging::new()?;
    let damaged = |why: String| {
        BackupError::failed(format!(
            "{} is not a dbbackup archive: {why}",
            path.display()
        ))
        .hint("nothing was restored")
    };
    let file = File::open(path).map_err(|error| BackupError::io("read", path, &error))?;
    let mut archive = tar::Archive::new(file);
    let entries = archive
        .entries()
        .map_err(|error| damaged(error.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|error| damaged(error.to_string()))?;
        let inside = entry
            .path()
            .map_err(|error| damaged(error.to_string()))?
            .into_owned();
        if !inside.starts_with(&name) {
            return Err(damaged(format!(
                "it holds {}, outside {name}/",
                inside.display()
            )));
        }
        // `unpack_in` refuses paths that would land outside the staging folder.
        let unpacked = entry
            .unpack_in(&staging.path)
            .map_err(|error| damaged(error.to_string()))?;
        if !unpacked {
            return Err(damaged(format!("{} escapes the archive", inside.display())));
        }
    }
    let dir = staging.path.join(&name);
    if !dir.join(FILE).is_file() {
        return Err(damaged("it has no manifest".to_owned()));
    }
    Ok((dir, staging))
}

/// The manifest at the start of an archive, for `list`.
pub fn read_manifest(path: &Path) -> std::result::Result<Manifest, String> {
    let file = File::open(path).map_err(|error| error.to_string())?;
    let mut archive = tar::Archive::new(file);
    let mut entries = archive.entries().map_err(|error| error.to_string())?;
    let mut first = entries
        .next()
        .ok_or("an empty archive")?
        .map_err(|error| error.to_string())?;
    let is_manifest = first
        .path()
        .is_ok_and(|inside| inside.file_name().is_some_and(|name| name == FILE));
    if !is_manifest {
        return Err("the archive does not start with its manifest".to_owned());
    }
    let mut text = String::new();
    first
        .read_to_string(&mut text)
        .map_err(|error| error.to_string())?;
    Manifest::parse(&text, path).map_err(|error| error.message)
}

/// `shop-20261121T030000.000Z.tar` holds `shop-20261121T030000.000Z/`.
fn backup_name(path: &Path) -> Result<String> {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .and_then(|name| name.strip_suffix(SUFFIX).map(str::to_owned))
        .filter(|name| !name.is_empty())
        .ok_or_else(|| BackupError::usage(format!("{} is not a .tar archive", path.display())))
}
