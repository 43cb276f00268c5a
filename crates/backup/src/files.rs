//! Compressed files whose SHA-256 (of the bytes on disk) is computed while they are written,
//! fsynced before the manifest names them, and checked before anything trusts them.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{BackupError, Result};

/// How data and schema files are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// zstd level 3 (the default): fast, and smaller than gzip.
    Zstd,
    /// gzip level 6, for tools that only read gzip.
    Gzip,
}

impl Compression {
    /// The file name suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Zstd => "zst",
            Self::Gzip => "gz",
        }
    }
}

/// Counts and hashes what passes through to the file.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A compressing writer to a new file. Small writes (a row at a time) are gathered into
/// [`GATHER`] bytes before the encoder sees them.
pub struct Compressed {
    encoder: Encoder,
    pending: Vec<u8>,
}

/// Bytes gathered before a write to the encoder.
const GATHER: usize = 128 * 1024;

enum Encoder {
    Zstd(zstd::stream::write::Encoder<'static, Hashing<BufWriter<File>>>),
    Gzip(flate2::write::GzEncoder<Hashing<BufWriter<File>>>),
}

/// What a finished file is: its size on disk and its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// Bytes on disk.
    pub bytes: u64,
    /// Hex SHA-256 of those bytes.
    pub sha256: String,
}

impl Compressed {
    /// Creates `path` (which must not exist).
    pub fn create(path: &Path, compression: Compression) -> Result<Self> {
        let file = create_new(path)?;
        let hashing = Hashing {
            inner: BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let encoder = match compression {
            Compression::Zstd => Encoder::Zstd(
                zstd::stream::write::Encoder::new(hashing, 3)
                    .map_err(|error| BackupError::io("compress", path, &error))?,
            ),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                hashing,
                flate2::Compression::default(),
            )),
        };
        Ok(Self {
            encoder,
            pending: Vec::with_capacity(GATHER),
        })
    }

    fn drain(&mut self) -> std::io::Result<()> {
        match &mut self.encoder {
            Encoder::Zstd(encoder) => encoder.write_all(&self.pending)?,
            Encoder::Gzip(encoder) => encoder.write_all(&self.pending)?,
        }
        self.pending.clear();
        Ok(())
    }

    /// Ends the stream, syncs the file to disk, and returns its size and hash.
    pub fn finish(mut self) -> std::io::Result<Written> {
        self.drain()?;
        let hashing = match self.encoder {
            Encoder::Zstd(encoder) => encoder.finish()?,
            Encoder::Gzip(encoder) => encoder.finish()?,
        };
        let Hashing {
            inner,
            hasher,
            bytes,
        } = hashing;
        let file = inner
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(Written {
            bytes,
            sha256: hex(&hasher.finalize()),
        })
    }
}

impl Write for Compressed {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        if self.pending.len() + buffer.len() > GATHER {
            self.drain()?;
        }
        if buffer.len() >= GATHER {
            return match &mut self.encoder {
                Encoder::Zstd(encoder) => encoder.write(buffer),
                Encoder::Gzip(encoder) => encoder.write(buffer),
            };
        }
        self.pending.extend_from_slice(buffer);
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain()?;
        match &mut self.encoder {
            Encoder::Zstd(encoder) => encoder.flush(),
            Encoder::Gzip(encoder) => encoder.flush(),
        }
    }
}

/// Opens a compressed file for reading.
pub fn open(path: &Path, compression: Compression) -> Result<Box<dyn Read + Send>> {
    let file = File::open(path).map_err(|error| BackupError::io("open", path, &error))?;
    let buffered = BufReader::with_capacity(256 * 1024, file);
    Ok(match compression {
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::new(buffered)
                .map_err(|error| BackupError::io("decompress", path, &error))?,
        ),
        Compression::Gzip => Box::new(flate2::read::GzDecoder::new(buffered)),
    })
}

/// The SHA-256 of a file as it is on disk.
pub fn sha256_of(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|error| BackupError::io("read", path, &error))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|error| BackupError::io("read", path, &error))?;
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Creates `path`, which must not exist: a backup never overwrites a file.
pub fn create_new(path: &Path) -> Result<File> {
    File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| BackupError::io("create", path, &error))
}

/// Creates `path` (which must not exist) for a plain-text SQL dump, buffered.
pub fn create_text(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(256 * 1024, create_new(path)?))
}
