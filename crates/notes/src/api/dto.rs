//! Request and response bodies of `/notes`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::entities::notes;
use crate::grammar::{EnglishDialect, GrammarIssue};

/// `POST /notes` as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoteRequest {
    /// Title (default: the first heading, else the first line).
    pub title: Option<String>,
    /// The markdown text.
    pub markdown: String,
}

/// `PUT /notes/{id}`: the fields to change (at least one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNoteRequest {
    /// New title.
    pub title: Option<String>,
    /// New markdown text.
    pub markdown: Option<String>,
}

/// A note's metadata.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteResponse {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// The uploaded file's name, for notes that came from a file.
    pub file_name: Option<String>,
    /// Markdown length in bytes.
    pub size_bytes: i64,
    /// Words in the text.
    pub word_count: i64,
    /// SHA-256 of the markdown (also its `ETag`).
    pub sha256: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<notes::Model> for NoteResponse {
    fn from(row: notes::Model) -> Self {
        Self {
            id: row.id,
            title: row.title,
            file_name: row.file_name,
            size_bytes: row.size_bytes,
            word_count: row.word_count,
            sha256: row.blob_hash,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A note with its markdown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteDetail {
    /// The metadata.
    #[serde(flatten)]
    pub note: NoteResponse,
    /// The markdown text.
    pub markdown: String,
}

/// The notes an upload created, in the order of its files.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    /// One per file.
    pub data: Vec<NoteResponse>,
}

/// What `POST /notes` answers: the note (JSON body) or the notes (multipart upload).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CreatedNotes {
    /// From a JSON body.
    One(NoteResponse),
    /// From a multipart upload.
    Many(UploadResponse),
}

/// `GET /notes` filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// Search words: every one must occur in the title or text, as a word or a word's
    /// start ("merm" finds "mermaid"); best matches first.
    pub q: Option<String>,
}

/// `GET /notes/{id}/html` options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HtmlQuery {
    /// `true`: a whole HTML page with a small stylesheet; otherwise an HTML fragment.
    pub standalone: Option<bool>,
}

/// `POST /notes/render`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    /// The markdown to render.
    pub markdown: String,
}

/// Rendered HTML.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderResponse {
    /// Sanitised HTML.
    pub html: String,
}

/// `POST /notes/grammar`: exactly one of `text` and `markdown`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrammarRequest {
    /// Plain prose.
    pub text: Option<String>,
    /// Markdown (code, URLs and HTML are not checked).
    pub markdown: Option<String>,
    /// Spelling variety (default `american`).
    #[serde(default)]
    pub dialect: EnglishDialect,
}

/// `GET /notes/{id}/grammar` options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GrammarQuery {
    /// Spelling variety: `american` (default), `british`, `canadian`, `australian`, `indian`.
    pub dialect: Option<EnglishDialect>,
}

/// The issues found, in text order.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrammarResponse {
    /// How many.
    pub count: usize,
    /// The issues.
    pub issues: Vec<GrammarIssue>,
}

/// `POST /notes/dictionary`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DictionaryRequest {
    /// A word to accept as correctly spelled (letters, digits, `'` and `-`).
    pub word: String,
}

/// Your accepted words.
#[derive(Debug, Serialize, ToSchema)]
pub struct DictionaryResponse {
    /// Lowercased, alphabetical.
    pub words: Vec<String>,
}
