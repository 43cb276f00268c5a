//! The on-disk form of the variants stored under one URL: a small binary format with the
//! URL and the cache generation inside, so that a file is checked against what was asked
//! for, and a trailing marker, so that a file cut short is recognised and thrown away.
//!
//! Layout (integers little-endian): `GWPROXY1`, generation u64, key (u32 length + bytes),
//! variant count u32, then per variant: status u16, request and response times in
//! milliseconds since 1970 (u64 each), selecting fields (u32 count; per field a name, a
//! presence byte and the value if present), header fields (u32 count; name, value), body
//! (u64 length + bytes); finally `GWEND\n\n\n`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::entry::Parts;
use crate::vary::Selecting;

const MAGIC: &[u8; 8] = b"GWPROXY1";
const END: &[u8; 8] = b"GWEND\n\n\n";

/// What a file holds.
pub struct Decoded {
    /// The cache generation it was written in.
    pub generation: u64,
    /// The URL it is stored under.
    pub key: String,
    /// Its variants, most recent first.
    pub variants: Vec<Parts>,
}

/// Why a file was not readable: it is then treated as absent and removed.
#[derive(Debug, thiserror::Error)]
#[error("corrupt cache file: {0}")]
pub struct Corrupt(&'static str);

/// The bytes of a cache file.
pub fn encode<'a>(
    generation: u64,
    key: &str,
    variants: impl ExactSizeIterator<Item = &'a crate::entry::Entry>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&generation.to_le_bytes());
    put_bytes32(&mut out, key.as_bytes());
    put_u32(&mut out, variants.len());
    for entry in variants {
        out.extend_from_slice(&entry.status.as_u16().to_le_bytes());
        out.extend_from_slice(&millis(entry.request_time).to_le_bytes());
        out.extend_from_slice(&millis(entry.response_time).to_le_bytes());
        put_u32(&mut out, entry.selecting.fields().len());
        for (name, value) in entry.selecting.fields() {
            put_bytes32(&mut out, name.as_str().as_bytes());
            match value {
                Some(value) => {
                    out.push(1);
                    put_bytes32(&mut out, value.as_bytes());
                }
                None => out.push(0),
            }
        }
        put_u32(&mut out, entry.headers.len());
        for (name, value) in &entry.headers {
            put_bytes32(&mut out, name.as_str().as_bytes());
            put_bytes32(&mut out, value.as_bytes());
        }
        out.extend_from_slice(&(entry.body.len() as u64).to_le_bytes());
        out.extend_from_slice(&entry.body);
    }
    out.extend_from_slice(END);
    out
}

/// A cache file read back; any inconsistency is an error, never a panic.
pub fn decode(file: Bytes) -> Result<Decoded, Corrupt> {
    let mut reader = Reader { file, at: 0 };
    if reader.take(MAGIC.len())? != MAGIC[..] {
        return Err(Corrupt("not a cache file"));
    }
    let generation = reader.u64()?;
    let key = String::from_utf8(reader.bytes32()?.to_vec()).map_err(|_| Corrupt("key"))?;
    let count = reader.u32()?;
    let mut variants = Vec::new();
    for _ in 0..count {
        let status = StatusCode::from_u16(reader.u16()?).map_err(|_| Corrupt("status"))?;
        let request_time = reader.time()?;
        let response_time = reader.time()?;
        let mut selecting = Vec::new();
        for _ in 0..reader.u32()? {
            let name = HeaderName::from_bytes(&reader.bytes32()?).map_err(|_| Corrupt("name"))?;
            let value = match reader.take(1)?[0] {
                0 => None,
                _ => Some(
                    String::from_utf8(reader.bytes32()?.to_vec()).map_err(|_| Corrupt("vary"))?,
                ),
            };
            selecting.push((name, value));
        }
        let mut headers = HeaderMap::new();
        for _ in 0..reader.u32()? {
            let name = HeaderName::from_bytes(&reader.bytes32()?).map_err(|_| Corrupt("name"))?;
            let value =
                HeaderValue::from_maybe_shared(reader.bytes32()?).map_err(|_| Corrupt("value"))?;
            headers.append(name, value);
        }
        let length = usize::try_from(reader.u64()?).map_err(|_| Corrupt("length"))?;
        let body = reader.take(length)?;
        variants.push(Parts {
            status,
            headers,
            body,
            request_time,
            response_time,
            selecting: Selecting::from_fields(selecting),
        });
    }
    if reader.take(END.len())? != END[..] || reader.at != reader.file.len() {
        return Err(Corrupt("no end marker"));
    }
    Ok(Decoded {
        generation,
        key,
        variants,
    })
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    // Counts and lengths here are of header fields and names, far below 4 GiB.
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_bytes32(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Reads the file front to back; every read checks the length left.
struct Reader {
    file: Bytes,
    at: usize,
}

impl Reader {
    fn take(&mut self, n: usize) -> Result<Bytes, Corrupt> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.file.len());
        let end = end.ok_or(Corrupt("cut short"))?;
        let bytes = self.file.slice(self.at..end);
        self.at = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Corrupt> {
        let bytes = self.take(N)?;
        let mut array = [0; N];
        array.copy_from_slice(&bytes);
        Ok(array)
    }

    fn u16(&mut self) -> Result<u16, Corrupt> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, Corrupt> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Corrupt> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn bytes32(&mut self) -> Result<Bytes, Corrupt> {
        let length = self.u32()? as usize;
        self.take(length)
    }

    fn time(&mut self) -> Result<SystemTime, Corrupt> {
        UNIX_EPOCH
            .checked_add(Duration::from_millis(self.u64()?))
            .ok_or(Corrupt("time"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Entry;
    use crate::test_support::headers;

    fn sample() -> Entry {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let response = headers(&[
            ("cache-control", "max-age=60"),
            ("vary", "accept-language"),
            ("set-cookie", "a=1"),
            ("set-cookie", "b=2"),
        ]);
        Entry::new(
            Parts {
                status: StatusCode::NOT_FOUND,
                selecting: Selecting::capture(&response, &headers(&[("accept-language", "fr")])),
                headers: response,
                body: Bytes::from_static(b"\x00binary\xffbody"),
                request_time: at,
                response_time: at + Duration::from_millis(5),
            },
            None,
        )
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let entry = sample();
        let file = encode(7, "/a?b=1", [&entry].into_iter());
        let decoded = decode(Bytes::from(file)).unwrap();
        assert_eq!((decoded.generation, decoded.key.as_str()), (7, "/a?b=1"));
        let parts = &decoded.variants[0];
        assert_eq!(parts.status, StatusCode::NOT_FOUND);
        assert_eq!(parts.headers, entry.headers);
        assert_eq!(parts.body, entry.body);
        assert_eq!(parts.request_time, entry.request_time);
        assert_eq!(parts.response_time, entry.response_time);
        assert_eq!(parts.selecting, entry.selecting);
    }

    #[test]
    fn every_truncation_and_a_foreign_file_are_refused() {
        let file = encode(1, "/k", [&sample()].into_iter());
        for cut in 0..file.len() {
            assert!(
                decode(Bytes::copy_from_slice(&file[..cut])).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = file.clone();
        longer.push(0);
        assert!(decode(Bytes::from(longer)).is_err());
        assert!(decode(Bytes::from_static(b"GET / HTTP/1.1\r\n\r\n")).is_err());
    }
}
