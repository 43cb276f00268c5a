//! Checked note inputs: text that is UTF-8 markdown of an allowed size, and titles.

use groundwork_platform::error::checked_text;
use groundwork_platform::{ApiError, FieldError};
use sha2::{Digest, Sha256};

use crate::markdown::{self, Analysis};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Why bytes are not a note.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("the note is empty")]
    Empty,
    /// Over the size limit.
    #[error("the note is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Not valid UTF-8.
    #[error("the note is not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// NUL bytes: a binary file, whatever its name says.
    #[error("the note contains NUL bytes: this looks like a binary file, not markdown")]
    Binary,
    /// Nested deeper than rendering allows.
    #[error(transparent)]
    Markdown(#[from] markdown::MarkdownError),
}

impl TextError {
    /// The 4xx this is, for `field`.
    pub fn into_api_error(self, field: &str) -> ApiError {
        let code = match &self {
            Self::Empty => "required",
            Self::TooLarge { .. } => {
                return ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "note_too_large",
                    format!("{field}: {self}"),
                );
            }
            Self::NotUtf8 { .. } => "not_utf8",
            Self::Binary => "binary_content",
            Self::Markdown(_) => "too_deeply_nested",
        };
        ApiError::validation(vec![FieldError::new(field, code, self.to_string())])
    }
}

/// A note's markdown: UTF-8, BOM stripped, not empty, within the limit, sanely nested;
/// with what is derived from it.
#[derive(Debug)]
pub struct NoteText {
    /// The text.
    pub markdown: String,
    /// SHA-256 of the text, lowercase hex: its blob's name.
    pub hash: String,
    /// First heading, plain text, word count.
    pub analysis: Analysis,
}

impl NoteText {
    /// Checks uploaded bytes.
    pub fn from_bytes(bytes: &[u8], limit: usize) -> Result<Self, TextError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.len() > limit {
            return Err(TextError::TooLarge { limit });
        }
        if bytes.contains(&0) {
            return Err(TextError::Binary);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| TextError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Self::from_string(text.to_owned(), limit)
    }

    /// Checks text sent as a JSON string.
    pub fn from_string(text: String, limit: usize) -> Result<Self, TextError> {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        if text.len() > limit {
            return Err(TextError::TooLarge { limit });
        }
        if text.contains('\0') {
            return Err(TextError::Binary);
        }
        if text.trim().is_empty() {
            return Err(TextError::Empty);
        }
        markdown::check_nesting(&text)?;
        let analysis = markdown::analyze(&text);
        let hash = groundwork_platform::hex::encode(&Sha256::digest(text.as_bytes()));
        Ok(Self {
            markdown: text,
            hash,
            analysis,
        })
    }

    /// The title to use when none is given: the first heading, else the file name
    /// without its extension, else the first line; cut to [`MAX_TITLE_CHARS`].
    pub fn default_title(&self, file_name: Option<&str>) -> String {
        let from_file = file_name.map(|name| {
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            stem.trim().to_owned()
        });
        let first_line = self
            .analysis
            .plain_text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map(str::to_owned);
        let title = self
            .analysis
            .first_heading
            .clone()
            .into_iter()
            .chain(from_file)
            .chain(first_line)
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| "Untitled".to_owned());
        let title: String = title
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_TITLE_CHARS)
            .collect();
        title.trim().to_owned()
    }
}

/// Checks a title given by the client.
pub fn parse_title(raw: &str) -> Result<String, ApiError> {
    checked_text("title", raw, MAX_TITLE_CHARS, true)
        .map_err(|error| ApiError::validation(vec![error]))
}

/// Checks an uploaded file's name: kept for display, never used as a storage path.
pub fn parse_file_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
    let lower = name.to_ascii_lowercase();
    if ![".md", ".markdown", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return Err(FieldError::new(
            "file",
            "unsupported_file_type",
            format!("{name:?} is not a markdown file (.md, .markdown or .txt)"),
        ));
    }
    checked_text("file", name, 255, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_stripped_and_the_hash_is_of_the_text() {
        let text = NoteText::from_bytes(b"\xEF\xBB\xBF# Hi\n", 100).unwrap();
        assert_eq!(text.markdown, "# Hi\n");
        assert_eq!(
            text.hash,
            NoteText::from_string("# Hi\n".into(), 100).unwrap().hash
        );
        assert_eq!(text.default_title(Some("x.md")), "Hi");
    }

    #[test]
    fn bad_bytes_are_refused_with_the_reason() {
        assert_eq!(
            NoteText::from_bytes(b"ok \xFF\xFE", 100).unwrap_err(),
            TextError::NotUtf8 { offset: 3 }
        );
        assert_eq!(
            NoteText::from_bytes(b"PK\x03\x04\0\0", 100).unwrap_err(),
            TextError::Binary
        );
        assert_eq!(
            NoteText::from_bytes(b" \n\t", 100).unwrap_err(),
            TextError::Empty
        );
        assert_eq!(
            NoteText::from_bytes(&[b'a'; 101], 100).unwrap_err(),
            TextError::TooLarge { limit: 100 }
        );
    }

    #[test]
    fn titles_fall_back_to_the_file_name_then_the_first_line() {
        let text = NoteText::from_string("just some *text*\nmore\n".into(), 100).unwrap();
        assert_eq!(
            text.default_title(Some("shopping list.md")),
            "shopping list"
        );
        assert_eq!(text.default_title(None), "just some text");
    }

    #[test]
    fn file_names_must_look_like_markdown() {
        assert_eq!(parse_file_name("../../etc/notes.md").unwrap(), "notes.md");
        assert!(parse_file_name("photo.png").is_err());
    }
}
