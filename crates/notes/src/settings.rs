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
    /// Largest text a grammar check accepts, in bytes (checking is CPU work: about half
    /// a second per 3,000 words of new text on one core of the reference machine).
    pub max_grammar_bytes: usize,
    /// Most words in one account's dictionary.
    pub max_dictionary_words: u64,
    /// Grammar checker threads in this process; one large check is spread over the idle
    /// ones.
    pub grammar_concurrency: usize,
    /// Memory for the issues of text pieces already checked (runs of paragraphs, headings,
    /// lists, ...), per account: a re-check only checks the piece that changed. 0 turns
    /// the cache off.
    pub grammar_cache_bytes: usize,
    /// Check a note when it is saved, in the checker threads' spare time, so that asking
    /// for its grammar later answers from the cache (in the default dialect).
    pub grammar_on_save: bool,
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
            grammar_cache_bytes: 32 * 1024 * 1024,
            grammar_on_save: true,
        }
    }
}
