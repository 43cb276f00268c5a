//! Email addresses, normalised so that one mailbox maps to one account.

use std::fmt;

use crate::error::FieldError;

/// Longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;

/// A syntactically plausible, normalised email address: trimmed and lowercased.
///
/// Lowercasing the local part is technically lossy (RFC 5321 lets it be case-sensitive),
/// but no mainstream provider treats `Alice@` and `alice@` as different people, while
/// users routinely type them interchangeably; one account per mailbox is what they expect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Checks and normalises an address typed by a user.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = |message: &str| FieldError::new("email", "invalid", message);
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new(
                "email",
                "required",
                "an email address is required",
            ));
        }
        if email.len() > MAX_LEN {
            return Err(FieldError::new(
                "email",
                "too_long",
                "at most 254 characters",
            ));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid("an email address needs an @"));
        };
        if domain.contains('@') {
            return Err(invalid("an email address has exactly one @"));
        }
        if local.is_empty() || domain.is_empty() || local.len() > 64 {
            return Err(invalid("not a valid email address"));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("an email address cannot contain spaces"));
        }
        let labels_ok = domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if !domain.contains('.') || !labels_ok {
            return Err(invalid("the domain part is not valid"));
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn malformed_addresses_are_rejected_with_a_reason() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@localhost",
            "a b@example.com",
            "alice@example..com",
            "alice@-example.com",
            "a@b@example.com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(300));
        assert_eq!(Email::parse(&long).unwrap_err().code, "too_long");
    }
}
