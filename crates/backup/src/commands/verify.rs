//! `verify`: a backup's files against its manifest (hashes, then every row decoded and
//! checksummed), and optionally a live database against the backup.

use std::path::Path;

use crate::cli::{ConnectArgs, VerifyArgs};
use crate::engine::stream::Lines;
use crate::engine::{mysql, postgres, sqlite};
use crate::error::{BackupError, Result};
use crate::files;
use crate::manifest::{Encoding, Manifest, Status, TableEntry};
use crate::rows::{Checksum, RowReader};
use crate::target::Target;

/// Reads the manifest of a complete backup.
pub fn complete_manifest(dir: &Path) -> Result<Manifest> {
    let manifest = Manifest::read(dir)?;
    if manifest.status != Status::Complete {
        return Err(BackupError::failed(format!(
            "{} is a failed backup: {}",
            dir.display(),
            manifest.error.as_deref().unwrap_or("no error recorded")
        ))
        .hint("dbbackup list shows the good ones"));
    }
    Ok(manifest)
}

/// Every file's SHA-256 against the manifest: catches truncation and tampering before a
/// restore writes anything.
pub fn check_hashes(dir: &Path, manifest: &Manifest) -> Result {
    if let Some(base) = &manifest.based_on {
        let base_dir = dir.parent().unwrap_or(dir).join(base);
        if !base_dir.join(crate::manifest::FILE).is_file() {
            return Err(BackupError::failed(format!(
                "{} is a differential backup of {base}, which is not beside it any more",
                dir.display()
            ))
            .hint("a differential backup needs its full backup in the same folder; nothing was restored"));
        }
    }
    let listed = manifest
        .schema
        .iter()
        .map(|schema| (&schema.file, dir.join(&schema.file), &schema.sha256))
        .chain(
            manifest
                .tables
                .iter()
                .map(|table| (&table.file, table.data_path(dir), &table.sha256)),
        )
        .chain(
            manifest
                .changes
                .iter()
                .map(|changes| (&changes.file, dir.join(&changes.file), &changes.sha256)),
        );
    for (file, path, expected) in listed {
        let actual = files::sha256_of(&path)?;
        if &actual != expected {
            return Err(BackupError::failed(format!(
                "{file} in {} does not match its checksum: the backup is damaged or was changed",
                dir.display()
            ))
            .hint("nothing was restored; use another backup"));
        }
    }
    Ok(())
}

/// `dbbackup verify <backup> [--against URL]`.
pub async fn verify(args: VerifyArgs) -> Result {
    let (dir, _staging) = crate::remote::fetch(&args.backup).await?;
    let dir = &dir;
    let manifest = complete_manifest(dir)?;
    // An incremental backup is only as good as every backup before it in its chain.
    let links = if manifest.follows.is_some() {
        super::incremental::chain(dir)?
    } else {
        vec![(dir.clone(), manifest.clone())]
    };
    for (dir, manifest) in &links {
        check_files(dir, manifest)?;
    }
    let mut differences = Vec::new();
    if args.against.is_some() && manifest.follows.is_some() {
        return Err(BackupError::usage(
            "--against compares tables with a full backup's; an incremental backup holds changes",
        )
        .hint("restore the chain into a new database and compare that, or verify --against its full backup"));
    }
    if let Some(url) = &args.against {
        let target = Target::from_args(&ConnectArgs {
            url: Some(url.clone()),
            ..ConnectArgs::default()
        })?;
        target.check().await?;
        let live = match &target {
            Target::Sqlite(path) => sqlite::live_checksums(path, &manifest).await?,
            Target::Postgres(options, _) => postgres::live_checksums(options, &manifest).await?,
            Target::Mysql(options, _) => mysql::live_checksums(options, &manifest).await?,
        };
        for ((name, checksum), table) in live.iter().zip(&manifest.tables) {
            match checksum {
                None => differences.push(format!("{name}: missing from the live database")),
                Some(checksum) if checksum.rows != table.rows => differences.push(format!(
                    "{name}: {} rows live, {} in the backup",
                    checksum.rows, table.rows
                )),
                Some(checksum) if checksum.hex() != table.checksum => {
                    differences.push(format!("{name}: same row count, different content"));
                }
                Some(_) => {}
            }
        }
    }
    let rows: u64 = manifest.tables.iter().map(|table| table.rows).sum();
    if args.json {
        let report = serde_json::json!({
            "backup": args.backup,
            "ok": differences.is_empty(),
            "tables": manifest.tables.len(),
            "rows": rows,
            "differences": differences,
            "changes": manifest.changes.as_ref().map(|changes| changes.statements),
            "chain": links.len(),
        });
        println!("{report:#}");
    } else if let Some(changes) = &manifest.changes {
        println!(
            "{}: incremental, {} changes in {} transactions; it and the {} earlier backups of its chain match their checksums and decode",
            args.backup.display(),
            changes.statements,
            changes.transactions,
            links.len() - 1
        );
    } else {
        println!(
            "{}: {} tables, {rows} rows; every file matches its checksum and decodes",
            args.backup.display(),
            manifest.tables.len()
        );
        for difference in &differences {
            println!("differs: {difference}");
        }
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(BackupError::failed(format!(
            "the live database differs from the backup in {} tables",
            differences.len()
        )))
    }
}

/// One backup's hashes, then every data file decoded and checksummed.
fn check_files(dir: &Path, manifest: &Manifest) -> Result {
    check_hashes(dir, manifest)?;
    for table in &manifest.tables {
        let checksum = decoded_checksum(dir, manifest, table)?;
        if checksum.rows != table.rows || checksum.hex() != table.checksum {
            return Err(BackupError::failed(format!(
                "table {} in {} does not decode to the rows its manifest lists",
                table.name,
                dir.display()
            )));
        }
    }
    if let Some(changes) = &manifest.changes {
        let path = dir.join(&changes.file);
        let checksum = line_checksum(&path, files::open(&path, manifest.compression)?)?;
        if checksum.rows != changes.lines || checksum.hex() != changes.checksum {
            return Err(BackupError::failed(format!(
                "{} in {} does not decode to the changes its manifest lists",
                changes.file,
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Decompresses and decodes a data file, as its encoding says, into its checksum.
fn decoded_checksum(dir: &Path, manifest: &Manifest, table: &TableEntry) -> Result<Checksum> {
    let path = table.data_path(dir);
    let input = files::open(&path, manifest.compression)?;
    match table.encoding {
        Encoding::Rows => {
            let mut reader = RowReader::new(input)?;
            while reader.next_row()?.is_some() {}
            Ok(reader.checksum())
        }
        Encoding::Copy => line_checksum(&path, input),
    }
}

/// The checksum of a line-oriented file (`COPY` text, changes records).
fn line_checksum(path: &Path, mut input: Box<dyn std::io::Read + Send>) -> Result<Checksum> {
    let mut lines = Lines::default();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let read = std::io::Read::read(&mut input, &mut buffer)
            .map_err(|error| BackupError::io("decompress", path, &error))?;
        if read == 0 {
            return Ok(lines.finish());
        }
        lines.feed(&buffer[..read]);
    }
}
