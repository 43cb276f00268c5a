//! Short codes: generated ones (random base62 from the operating system's CSPRNG, so they
//! cannot be guessed or enumerated) and custom aliases (checked, reserved words refused).

use groundwork_platform::FieldError;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Longest code or alias (the column is 64 characters).
pub const MAX_CODE_LEN: usize = 64;
/// Shortest custom alias.
pub const MIN_ALIAS_LEN: usize = 3;

/// Paths a code must never take, compared without case: the service's own routes at
/// the root mount (`--mount shortener=/`), the platform's routes, and words that would
/// make a link look official.
const RESERVED: &[&str] = &[
    "shorten",
    "shortener",
    "api",
    "docs",
    "doc",
    "openapi",
    "hello",
    "healthz",
    "readyz",
    "metrics",
    "auth",
    "admin",
    "administrator",
    "root",
    "static",
    "assets",
    "public",
    "login",
    "logout",
    "signin",
    "signup",
    "register",
    "account",
    "settings",
    "dashboard",
    "help",
    "support",
    "about",
    "terms",
    "privacy",
    "security",
    "www",
    "mail",
    "status",
    "blog",
    "todo",
    "expenses",
    "books",
    "fitness",
    "favicon",
    "robots",
    "sitemap",
];

/// A random code of `length` base62 characters. Rejection sampling keeps every character
/// equally likely (256 is not a multiple of 62).
pub fn generate(length: usize) -> Result<String, getrandom::Error> {
    let mut code = String::with_capacity(length);
    let mut buffer = [0u8; 64];
    while code.len() < length {
        getrandom::fill(&mut buffer)?;
        for byte in buffer {
            // 248 = 4 × 62: bytes at or above it would favour the first characters.
            if byte < 248 && code.len() < length {
                code.push(char::from(BASE62[usize::from(byte % 62)]));
            }
        }
    }
    Ok(code)
}

/// Whether `code` is one of the reserved words.
pub fn is_reserved(code: &str) -> bool {
    RESERVED.iter().any(|word| word.eq_ignore_ascii_case(code))
}

/// Checks a custom alias: 3 to 64 of `A-Z a-z 0-9 - _`, starting with a letter or digit,
/// not a reserved word.
pub fn parse_alias(raw: &str) -> Result<String, FieldError> {
    let alias = raw.trim();
    let invalid = |code: &'static str, message: String| FieldError::new("alias", code, message);
    if alias.len() < MIN_ALIAS_LEN || alias.len() > MAX_CODE_LEN {
        return Err(invalid(
            "length",
            format!("an alias is {MIN_ALIAS_LEN} to {MAX_CODE_LEN} characters long"),
        ));
    }
    if !alias
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            "characters",
            "an alias may contain only letters A-Z, digits, '-' and '_'".into(),
        ));
    }
    if !alias.as_bytes()[0].is_ascii_alphanumeric() {
        return Err(invalid(
            "characters",
            "an alias starts with a letter or a digit".into(),
        ));
    }
    if is_reserved(alias) {
        return Err(invalid(
            "reserved",
            format!("{alias:?} is reserved; choose another alias"),
        ));
    }
    Ok(alias.to_owned())
}

/// Whether `raw` could be a code at all (cheap check on the redirect path, before any
/// lookup: anything else is a 404 without touching the cache or the database).
pub fn looks_like_code(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= MAX_CODE_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_codes_have_the_length_and_alphabet_asked_for() {
        for length in [4, 7, 12, 32] {
            let code = generate(length).unwrap();
            assert_eq!(code.len(), length);
            assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()), "{code}");
        }
    }

    #[test]
    fn generated_codes_use_the_whole_alphabet_and_do_not_repeat() {
        let codes: Vec<String> = (0..20_000).map(|_| generate(7).unwrap()).collect();
        let distinct: HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        let characters: HashSet<u8> = codes.iter().flat_map(|c| c.bytes()).collect();
        assert_eq!(characters.len(), 62);
    }

    #[test]
    fn aliases_are_checked() {
        assert_eq!(parse_alias(" my-link_2 ").unwrap(), "my-link_2");
        assert_eq!(parse_alias("ab").unwrap_err().code, "length");
        assert_eq!(parse_alias(&"a".repeat(65)).unwrap_err().code, "length");
        assert_eq!(parse_alias("has space").unwrap_err().code, "characters");
        assert_eq!(parse_alias("ünï").unwrap_err().code, "characters");
        assert_eq!(parse_alias("-abc").unwrap_err().code, "characters");
        assert_eq!(parse_alias("Shorten").unwrap_err().code, "reserved");
        assert_eq!(parse_alias("HEALTHZ").unwrap_err().code, "reserved");
    }

    #[test]
    fn only_code_characters_reach_a_lookup() {
        assert!(looks_like_code("abc123"));
        assert!(looks_like_code("my-link_2"));
        assert!(!looks_like_code(""));
        assert!(!looks_like_code("a.b"));
        assert!(!looks_like_code(&"a".repeat(65)));
    }
}
