//! Password policy and Argon2id hashing.
//!
//! Hashing is deliberately slow and memory-hungry (19 MiB per hash by default), so it runs
//! on the blocking pool behind a semaphore: at most one hash per core at a time, and a
//! request that cannot get a slot within a few seconds gets a 503 instead of queueing
//! forever. That bounds both CPU and memory under a login flood.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

use crate::config::AuthSettings;
use crate::error::{ApiError, FieldError};

/// Shortest accepted password, in characters (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in bytes: long passphrases are fine, megabyte ones are a way
/// to make the server hash a lot of data.
pub const MAX_PASSWORD_BYTES: usize = 256;
/// How long a request waits for a hashing slot before giving up with 503.
const HASH_QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// A password that satisfies the policy; only this type can be hashed.
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the policy for the field named `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        if raw.chars().count() < MIN_PASSWORD_CHARS {
            return Err(FieldError::new(field, "too_short", "at least 8 characters"));
        }
        if raw.len() > MAX_PASSWORD_BYTES {
            return Err(FieldError::new(field, "too_long", "at most 256 bytes"));
        }
        let mut chars = raw.chars();
        if let Some(first) = chars.next()
            && chars.all(|c| c == first)
        {
            return Err(FieldError::new(
                field,
                "too_weak",
                "cannot be one character repeated",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Hashes and verifies passwords with Argon2id and a bounded number of hashes in flight.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    slots: Arc<Semaphore>,
    /// A hash of a random password, verified against when an email is unknown so that
    /// unknown emails and wrong passwords take the same time.
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    /// A hasher with the configured cost.
    pub fn new(settings: &AuthSettings) -> Result<Self, argon2::Error> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(cores)),
            dummy: Arc::default(),
        })
    }

    /// Hashes a new password into a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: &NewPassword) -> Result<String, ApiError> {
        let password = password.expose().to_owned();
        self.run(move |argon| {
            argon
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
        })
        .await?
        .map_err(|e| ApiError::internal(format!("argon2 hash: {e}")))
    }

    /// Whether `password` matches `stored`. A malformed stored hash is an internal error.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool, ApiError> {
        let parsed = PasswordHash::new(stored)
            .map_err(|e| ApiError::internal(format!("stored password hash is malformed: {e}")))?;
        let password = password.to_owned();
        let outcome = self
            .run(move |argon| argon.verify_password(password.as_bytes(), &parsed))
            .await?;
        match outcome {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(e) => Err(ApiError::internal(format!("argon2 verify: {e}"))),
        }
    }

    /// Spends the same work as [`Self::verify`] against a hash nobody knows the password of.
    pub async fn verify_dummy(&self, password: &str) -> Result<(), ApiError> {
        let dummy = self
            .dummy
            .get_or_try_init(|| async {
                let mut random = [0u8; 24];
                getrandom::fill(&mut random).map_err(|e| ApiError::internal(e.to_string()))?;
                let text: String = random.iter().map(|b| format!("{b:02x}")).collect();
                self.hash(&NewPassword(text)).await
            })
            .await?;
        self.verify(password, dummy).await.map(|_| ())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(HASH_QUEUE_TIMEOUT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| {
                ApiError::unavailable("the server is busy hashing passwords; retry shortly", 2)
            })?
            .map_err(ApiError::internal)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(argon)
        })
        .await
        .map_err(ApiError::internal)?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap_settings() -> AuthSettings {
        AuthSettings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..AuthSettings::default()
        }
    }

    #[test]
    fn the_policy_rejects_short_repeated_and_huge_passwords() {
        assert_eq!(
            NewPassword::parse("password", "short").err().unwrap().code,
            "too_short"
        );
        assert_eq!(
            NewPassword::parse("password", "aaaaaaaaaa")
                .err()
                .unwrap()
                .code,
            "too_weak"
        );
        let huge = "x".repeat(300) + "y";
        assert_eq!(
            NewPassword::parse("password", &huge).err().unwrap().code,
            "too_long"
        );
        assert!(NewPassword::parse("password", "correct horse").is_ok());
        // Eight characters, counted as characters rather than bytes.
        assert!(NewPassword::parse("password", "pässwörd").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let hasher = PasswordHasher::new(&cheap_settings()).unwrap();
        let hash = hasher
            .hash(&NewPassword::parse("p", "correct horse").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert!(hasher.verify("correct horse", &hash).await.unwrap());
        assert!(!hasher.verify("correct horsf", &hash).await.unwrap());
        hasher.verify_dummy("anything").await.unwrap();
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_internal_error_not_a_wrong_password() {
        let hasher = PasswordHasher::new(&cheap_settings()).unwrap();
        let error = hasher.verify("x", "not-a-phc-string").await.unwrap_err();
        assert_eq!(
            error.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
