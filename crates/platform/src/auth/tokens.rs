//! Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque random strings, stored
//! only as SHA-256 hashes).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::AuthSettings;

/// The file in the data directory that holds the generated signing key.
pub const JWT_SECRET_FILE: &str = "jwt-secret";
/// Prefix of refresh tokens, so that leaked ones are recognisable by secret scanners.
const REFRESH_PREFIX: &str = "gwr_";

/// What an access token says about its bearer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's role when the token was issued.
    pub role: String,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
    /// Issuer.
    pub iss: String,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Well-formed and correctly signed, but past its expiry.
    #[error("the access token has expired")]
    Expired,
    /// Malformed, wrongly signed, wrong algorithm or wrong issuer.
    #[error("the access token is invalid")]
    Invalid,
}

/// Issues and verifies access tokens with one HMAC key.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

impl AccessTokens {
    /// Tokens signed with `secret`.
    pub fn new(secret: &[u8], settings: &AuthSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            ttl: Duration::from_secs(settings.access_token_ttl_secs),
        }
    }

    /// Lifetime of the tokens this issues.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signed token for the user.
    pub fn issue(&self, user_id: Uuid, role: &str) -> Result<String, jsonwebtoken::errors::Error> {
        self.issue_for(user_id, role, self.ttl)
    }

    /// A signed token with another lifetime than the configured one, for clients that
    /// cannot refresh (the RealWorld protocol has no refresh tokens).
    pub fn issue_for(
        &self,
        user_id: Uuid,
        role: &str,
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id,
            role: role.to_owned(),
            iat: now,
            exp: now.saturating_add(ttl.as_secs()),
            iss: self.issuer.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a valid token.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

/// Shortest HMAC key accepted, in bytes (HS256's output size; RFC 7518 section 3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// The HMAC key: from config if set, else from `<data_dir>/jwt-secret`, which is created
/// on first start with owner-only permissions.
///
/// The file is written completely to a temporary name and then linked into place, so a
/// process starting at the same moment, or after a crash, never reads a partial key. A
/// key shorter than [`MIN_SECRET_BYTES`] is refused: an empty key would let anyone sign.
pub fn load_or_create_secret(settings: &AuthSettings, data_dir: &Path) -> std::io::Result<Vec<u8>> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = data_dir.join(JWT_SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => read_key_file(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_key_file(settings, data_dir, &path)
        }
        Err(e) => Err(e),
    }
}

fn invalid_key(path: &Path, why: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "{}: {why}; delete the file to generate a new key (existing tokens stop working)",
            path.display()
        ),
    )
}

fn read_key_file(path: &Path, text: &str) -> std::io::Result<Vec<u8>> {
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), "the JWT key file is readable by other users; chmod 600 it");
    }
    let key = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|e| invalid_key(path, e))?;
    if key.len() < MIN_SECRET_BYTES {
        return Err(invalid_key(
            path,
            format_args!(
                "the key has {} bytes, fewer than {MIN_SECRET_BYTES}",
                key.len()
            ),
        ));
    }
    Ok(key)
}

fn create_key_file(
    settings: &AuthSettings,
    data_dir: &Path,
    path: &Path,
) -> std::io::Result<Vec<u8>> {
    let mut key = [0u8; 64];
    getrandom::fill(&mut key).map_err(std::io::Error::other)?;
    let encoded = URL_SAFE_NO_PAD.encode(key);
    if crate::config::create_private_file(data_dir, JWT_SECRET_FILE, encoded.as_bytes())? {
        tracing::info!(path = %path.display(), "generated a new JWT signing key");
        Ok(key.to_vec())
    } else {
        // Another process won the race with a complete key: use theirs.
        load_or_create_secret(settings, data_dir)
    }
}

/// A new refresh token: 256 random bits, URL-safe.
pub fn new_refresh_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// What is stored for a refresh token: its SHA-256, hex. A database leak then yields no
/// usable tokens, and lookups stay a plain indexed equality (the input has 256 bits of
/// entropy, so a fast hash is enough; no salt or slow hash is needed).
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(secret: &[u8]) -> AccessTokens {
        AccessTokens::new(secret, &AuthSettings::default())
    }

    #[test]
    fn an_issued_token_verifies_and_carries_the_claims() {
        let tokens = tokens(b"0123456789abcdef0123456789abcdef");
        let id = Uuid::now_v7();
        let claims = tokens.verify(&tokens.issue(id, "admin").unwrap()).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.role, "admin");
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn a_token_signed_with_another_key_is_invalid() {
        let token = tokens(b"another key another key another key")
            .issue(Uuid::now_v7(), "user")
            .unwrap();
        assert_eq!(
            tokens(b"0123456789abcdef0123456789abcdef").verify(&token),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn an_expired_token_is_reported_as_expired() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let claims = Claims {
            sub: Uuid::now_v7(),
            role: "user".into(),
            iat: 1_000,
            exp: 2_000,
            iss: "groundwork".into(),
        };
        let token = jsonwebtoken::encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_eq!(tokens(secret).verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn the_none_algorithm_and_garbage_are_refused() {
        let tokens = tokens(b"0123456789abcdef0123456789abcdef");
        let real = tokens.issue(Uuid::now_v7(), "user").unwrap();
        let payload = real.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            tokens.verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
        assert_eq!(tokens.verify("not.a.jwt"), Err(TokenError::Invalid));
        assert_eq!(tokens.verify(""), Err(TokenError::Invalid));
    }

    #[test]
    fn the_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = AuthSettings::default();
        let first = load_or_create_secret(&settings, dir.path()).unwrap();
        let second = load_or_create_secret(&settings, dir.path()).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
        let mode = std::fs::metadata(dir.path().join(JWT_SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn an_empty_or_short_key_file_is_refused_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JWT_SECRET_FILE);
        std::fs::write(&path, "").unwrap();
        let error = load_or_create_secret(&AuthSettings::default(), dir.path()).unwrap_err();
        assert!(error.to_string().contains("fewer than 32"), "{error}");
        std::fs::write(&path, URL_SAFE_NO_PAD.encode([7u8; 16])).unwrap();
        assert!(load_or_create_secret(&AuthSettings::default(), dir.path()).is_err());
        std::fs::write(&path, "not base64 !!").unwrap();
        assert!(load_or_create_secret(&AuthSettings::default(), dir.path()).is_err());
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        load_or_create_secret(&AuthSettings::default(), dir.path()).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|key| key == &keys[0] && key.len() == 64));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary files are removed");
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let a = new_refresh_token().unwrap();
        let b = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("gwr_") && a.len() == 4 + 43, "{a}");
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_ne!(hash_refresh_token(&a), a);
    }
}
