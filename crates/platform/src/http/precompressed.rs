//! A body compressed once and served many times: for cached documents (weather reports,
//! later the CDN's objects) where compressing on every request would cost more than
//! producing the answer. Each encoding is made the first time a client asks for it, at a
//! higher level than per-response compression uses ([`super::compress`]), since it is paid
//! once per document rather than once per request.
//!
//! A response built here carries its own `Content-Encoding`, so the pipeline's compression
//! leaves it alone.

use std::io::Write as _;
use std::sync::OnceLock;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};

use super::compress::{Accepted, MIN_SIZE};

/// Brotli quality for bodies compressed once: close to the best ratio (11) on JSON of a
/// few to a few hundred KiB, at a small fraction of its time.
const BROTLI_QUALITY: u32 = 9;
/// Brotli window (log2 of bytes), the encoder's usual default.
const BROTLI_WINDOW: u32 = 22;
/// gzip level: 6 is zlib's own default, 9 gains little on JSON.
const GZIP_LEVEL: u32 = 6;

/// A body with its compressed forms, each made on first use.
pub struct Precompressed {
    identity: Bytes,
    brotli: OnceLock<Option<Bytes>>,
    gzip: OnceLock<Option<Bytes>>,
}

impl Precompressed {
    /// Wraps an uncompressed body; nothing is compressed yet.
    pub fn new(identity: impl Into<Bytes>) -> Self {
        Self {
            identity: identity.into(),
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }

    /// The uncompressed body.
    pub fn identity(&self) -> &Bytes {
        &self.identity
    }

    /// The body in the best encoding the client accepts (brotli, then gzip), with the
    /// `Content-Encoding` to send; uncompressed (and `None`) for small bodies, clients that
    /// accept neither, or an encoding that did not make the body smaller.
    pub fn for_client(&self, accepted: Accepted) -> (Bytes, Option<&'static str>) {
        if (self.identity.len() as u64) < MIN_SIZE {
            return (self.identity.clone(), None);
        }
        if accepted.brotli()
            && let Some(body) = self.brotli.get_or_init(|| smaller(&self.identity, brotli))
        {
            return (body.clone(), Some("br"));
        }
        if accepted.gzip()
            && let Some(body) = self.gzip.get_or_init(|| smaller(&self.identity, gzip))
        {
            return (body.clone(), Some("gzip"));
        }
        (self.identity.clone(), None)
    }

    /// [`Self::for_client`], setting `Content-Encoding` and `Vary` in `headers`.
    pub fn select(&self, accepted: Accepted, headers: &mut HeaderMap) -> Bytes {
        let (body, encoding) = self.for_client(accepted);
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        // Every form varies on it, the uncompressed one too: a shared cache must not hand
        // the uncompressed body to a client it could have served compressed, nor the reverse.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        body
    }
}

/// `encode(body)` if it worked and saved bytes.
fn smaller(body: &[u8], encode: fn(&[u8]) -> std::io::Result<Vec<u8>>) -> Option<Bytes> {
    match encode(body) {
        Ok(encoded) if encoded.len() < body.len() => Some(Bytes::from(encoded)),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "compressing a body failed; serving it uncompressed");
            None
        }
    }
}

fn brotli(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut writer = brotli::CompressorWriter::new(
        Vec::with_capacity(body.len() / 4),
        4096,
        BROTLI_QUALITY,
        BROTLI_WINDOW,
    );
    writer.write_all(body)?;
    writer.flush()?;
    Ok(writer.into_inner())
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn accepted(value: &'static str) -> Accepted {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        Accepted::from_headers(&headers)
    }

    fn document() -> Vec<u8> {
        let rows: Vec<String> = (0..200)
            .map(|i| format!("{{\"hour\":{i},\"temperature\":{}.5}}", i % 30))
            .collect();
        format!("[{}]", rows.join(",")).into_bytes()
    }

    #[test]
    fn brotli_is_preferred_and_decodes_to_the_body() {
        let body = document();
        let cached = Precompressed::new(body.clone());
        let mut headers = HeaderMap::new();
        let sent = cached.select(accepted("gzip, deflate, br"), &mut headers);
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert!(
            sent.len() < body.len() / 4,
            "{} of {}",
            sent.len(),
            body.len()
        );
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&sent[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
    }

    #[test]
    fn gzip_when_brotli_is_not_accepted() {
        let body = document();
        let cached = Precompressed::new(body.clone());
        let (sent, encoding) = cached.for_client(accepted("gzip"));
        assert_eq!(encoding, Some("gzip"));
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&sent[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        // Made once: the second answer is the same allocation.
        let (again, _) = cached.for_client(accepted("gzip"));
        assert_eq!(again.as_ptr(), sent.as_ptr());
    }

    #[test]
    fn identity_for_small_bodies_and_unwilling_clients() {
        let cached = Precompressed::new(document());
        let mut headers = HeaderMap::new();
        let sent = cached.select(accepted("identity"), &mut headers);
        assert_eq!(sent, document());
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(headers[header::VARY], "accept-encoding");
        let small = Precompressed::new(&b"{\"ok\":true}"[..]);
        assert_eq!(small.for_client(accepted("br, gzip")).1, None);
    }

    #[test]
    fn incompressible_bodies_are_sent_as_they_are() {
        // Bytes from a simple generator: no repetition an encoder could use.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        let cached = Precompressed::new(noise.clone());
        let (sent, encoding) = cached.for_client(accepted("br, gzip"));
        assert_eq!(encoding, None);
        assert_eq!(sent, noise);
    }
}
