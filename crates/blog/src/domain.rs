//! Checked values of the blog's domain. Request bodies of both faces are parsed into these
//! before anything touches the database; each check names the field it failed on.

use groundwork_platform::FieldError;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 255;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 1_000;
/// Longest article body, in characters (about 100 KB of text: a long book chapter).
pub const MAX_BODY: usize = 100_000;
/// Longest category, in characters.
pub const MAX_CATEGORY: usize = 100;
/// Most tags on one article.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 64;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 10_000;
/// Longest username, in characters.
pub const MAX_USERNAME: usize = 64;
/// Longest bio, in characters.
pub const MAX_BIO: usize = 2_000;
/// Longest image URL, in bytes.
pub const MAX_IMAGE_URL: usize = 2_048;

/// A required text field: trimmed, not empty, at most `max` characters, and no control
/// characters other than newlines and tabs (in multi-line fields).
pub fn text(field: &str, raw: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "required", "can't be blank"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("is too long (at most {max} characters)"),
        ));
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t' || c == '\r'));
    if !value.chars().all(allowed) {
        return Err(FieldError::new(
            field,
            "invalid",
            "contains control characters",
        ));
    }
    Ok(value.to_owned())
}

/// An optional text field: `None` or blank means absent.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => text(field, value, max, multiline).map(Some),
    }
}

/// A username: 1 to 64 letters, digits, `_`, `-` or `.`, so that it is safe in a URL
/// path (`/profiles/{username}`). Unique without regard to case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Checks a username.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new("username", "required", "can't be blank"));
        }
        if value.chars().count() > MAX_USERNAME {
            return Err(FieldError::new(
                "username",
                "too_long",
                "is too long (at most 64 characters)",
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(FieldError::new(
                "username",
                "invalid",
                "may only contain letters, digits, '_', '-' and '.'",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The username as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes usernames unique regardless of case.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Tags: trimmed, deduplicated (first spelling wins), at most 20, each 1 to 64
/// characters. Kept in the order given; responses sort them.
pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.len() > MAX_TAGS {
        return Err(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = text(field, tag, MAX_TAG, false)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// A bio: optional, at most 2 000 characters.
pub fn bio(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    optional_text("bio", raw, MAX_BIO, true)
}

/// An image URL: optional; when present an absolute `http(s)` URL without spaces.
pub fn image(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let valid = value.len() <= MAX_IMAGE_URL
        && (value.starts_with("https://") || value.starts_with("http://"))
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    if valid {
        Ok(Some(value.to_owned()))
    } else {
        Err(FieldError::new(
            "image",
            "invalid",
            "must be an http(s) URL",
        ))
    }
}

/// The readable part of a slug: lowercase letters and digits from the title, words
/// joined by `-`, at most 80 characters. Titles without any letter or digit give
/// `article`. Uniqueness is added by the caller.
pub fn slug_base(title: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            slug.push(c);
            gap = false;
        } else {
            gap = true;
        }
        if slug.chars().count() >= 80 {
            break;
        }
    }
    if slug.is_empty() {
        "article".to_owned()
    } else {
        slug
    }
}

/// A short random suffix (`-k3x9q2`) that makes a slug unique when its base is taken.
pub fn slug_suffix() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 6];
    // getrandom failing means the OS has no entropy source; a fixed suffix then still
    // yields a valid (if likelier to collide, and retried) slug.
    let _ = getrandom::fill(&mut bytes);
    let suffix: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_and_never_empty() {
        assert_eq!(
            slug_base("How to Train Your Dragon!"),
            "how-to-train-your-dragon"
        );
        assert_eq!(slug_base("  Rust: 2024 -- edition  "), "rust-2024-edition");
        assert_eq!(slug_base("Ça va très bien"), "ça-va-très-bien");
        assert_eq!(slug_base("!!!"), "article");
        assert!(slug_base(&"word ".repeat(100)).chars().count() <= 81);
        assert_ne!(slug_suffix(), slug_suffix());
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(text("title", "  Hello ", 10, false).unwrap(), "Hello");
        assert_eq!(
            text("title", "   ", 10, false).unwrap_err().code,
            "required"
        );
        assert_eq!(
            text("title", "x".repeat(11).as_str(), 10, false)
                .unwrap_err()
                .code,
            "too_long"
        );
        assert_eq!(
            text("title", "a\u{7}b", 10, false).unwrap_err().code,
            "invalid"
        );
        assert!(text("body", "line\nline", 20, true).is_ok());
        assert!(text("title", "line\nline", 20, false).is_err());
    }

    #[test]
    fn usernames_are_url_safe_and_compare_without_case() {
        assert_eq!(Username::parse("Jake_1.x").unwrap().key(), "jake_1.x");
        for bad in ["", "has space", "a/b", "x?y", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_are_deduplicated_and_bounded() {
        let raw = vec!["rust".to_owned(), " rust ".to_owned(), "Web".to_owned()];
        assert_eq!(tags("tagList", &raw).unwrap(), ["rust", "Web"]);
        assert!(tags("tagList", &vec!["t".to_owned(); 21]).is_err());
        assert!(tags("tagList", &["".to_owned()]).is_err());
    }

    #[test]
    fn images_must_be_http_urls() {
        assert_eq!(
            image(Some("https://x.example/a.png")).unwrap().as_deref(),
            Some("https://x.example/a.png")
        );
        assert_eq!(image(Some("")).unwrap(), None);
        assert!(image(Some("javascript:alert(1)")).is_err());
        assert!(image(Some("https://x.example/a b.png")).is_err());
    }
}
