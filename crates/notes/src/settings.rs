//! The `[notes]` configuration section (`GROUNDWORK__NOTES__*`).

use serde::Deserialize;

/// Notes settings. Every limit is checked before anything is stored.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotesSettings {
    /// Largest markdown text of one note, in bytes (after a BOM is stripped).
    pub max_note_bytes: usize,
    /// Most files one multipart upload may carry.
    pub max_files_per_upload: usize,
    /// Most notes one account may hold.
    pub max_notes_per_user: u64,
    /// Largest text a grammar check accepts, in bytes (checking is CPU work: about
    /// 10 ms per 3,000 words on one core).
    pub max_grammar_bytes: usize,
    /// Most words in one account's dictionary.
    pub max_dictionary_words: u64,
    /// Grammar checks run at once in this process (each takes one blocking thread).
    pub grammar_concurrency: usize,
}

impl Default for NotesSettings {
    fn default() -> Self {
        Self {
            max_note_bytes: 1024 * 1024,
            max_files_per_upload: 20,
            max_notes_per_user: 10_000,
            max_grammar_bytes: 256 * 1024,
            max_dictionary_words: 10_000,
            grammar_concurrency: 2,
        }
    }
}
