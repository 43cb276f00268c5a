//! Webhook signatures: `X-Groundwork-Signature: t=<unix seconds>,v1=<hex>`, where the hex
//! is HMAC-SHA256 over `"<t>.<body>"` with the shared secret. The timestamp inside the
//! signed text lets a receiver refuse replays of old deliveries.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-groundwork-signature";

/// The file the generated key is kept in, under the data directory.
pub const KEY_FILE: &str = "jobs-webhook.key";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!(
        "t={timestamp},v1={}",
        groundwork_platform::hex::encode(&digest)
    )
}

/// What a receiver does: checks the signature in constant time and that the timestamp
/// is within `tolerance_secs` of `now`.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signature = decode_hex(value),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    (now - timestamp).abs() <= tolerance_secs
        && mac(secret, timestamp, body)
            .verify_slice(&signature)
            .is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The configured secret, or the key in `<data_dir>/jobs-webhook.key`, created (32 random
/// bytes, hex, mode 0600, first writer wins) on first use. The key is the file's text:
/// receivers use the same text as their HMAC key.
pub fn load_or_create_key(configured: Option<&str>, data_dir: &Path) -> std::io::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} holds a key shorter than 32 characters", path.display()),
            ));
        }
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
        Err(_) => {}
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let key = groundwork_platform::hex::encode(&bytes);
    if groundwork_platform::config::create_private_file(data_dir, KEY_FILE, key.as_bytes())? {
        tracing::info!(path = %path.display(), "generated a webhook signing key");
        Ok(key.into_bytes())
    } else {
        // Another process created it first: use its key.
        Ok(std::fs::read_to_string(&path)?.trim().as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_is_caught() {
        let header = sign(b"secret", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(b"secret", &header, b"{\"a\":1}", 1_700_000_010, 300));
        assert!(
            !verify(b"secret", &header, b"{\"a\":2}", 1_700_000_010, 300),
            "body changed"
        );
        assert!(
            !verify(b"other", &header, b"{\"a\":1}", 1_700_000_010, 300),
            "wrong key"
        );
        assert!(
            !verify(b"secret", &header, b"{\"a\":1}", 1_700_001_000, 300),
            "too old"
        );
        assert!(!verify(b"secret", "t=1,v1=zz", b"", 1, 300));
        assert!(!verify(b"secret", "garbage", b"", 1, 300));
    }

    #[test]
    fn the_generated_key_is_created_once_and_private() {
        let dir = tempfile_dir();
        let first = load_or_create_key(None, &dir).unwrap();
        let second = load_or_create_key(None, &dir).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            load_or_create_key(Some("configured"), &dir).unwrap(),
            b"configured"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "gw-signing-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
