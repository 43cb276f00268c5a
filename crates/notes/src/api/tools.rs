//! Rendering and grammar checking: of any text, and of saved notes.

use axum::extract::State;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::{ApiError, FieldError};

use super::dto::{GrammarQuery, GrammarRequest, GrammarResponse, RenderRequest, RenderResponse};
use super::notes::{owned_note, render};
use crate::grammar::{EnglishDialect, Format, GrammarUnavailable};
use crate::service::NotesService;

/// Render markdown to sanitised HTML without saving it.
///
/// `curl -X POST localhost:8080/notes/render -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"markdown":"| a | b |\n|---|---|\n| 1 | 2 |"}'`
#[utoipa::path(
    post,
    path = "/render",
    request_body = RenderRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The HTML", body = RenderResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than a note may be", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nested too deeply", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn render_markdown(
    State(notes): State<NotesService>,
    _user: AuthUser,
    Json(request): Json<RenderRequest>,
) -> Result<Json<RenderResponse>, ApiError> {
    if request.markdown.len() > notes.settings.max_note_bytes {
        return Err(too_large("markdown", notes.settings.max_note_bytes));
    }
    let html = render(request.markdown).await?;
    Ok(Json(RenderResponse { html }))
}

/// Check text or markdown for spelling, grammar, style and punctuation issues.
///
/// `curl -X POST localhost:8080/notes/grammar -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"text":"This are a test."}'`
#[utoipa::path(
    post,
    path = "/grammar",
    request_body = GrammarRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The issues, with byte and line/column spans", body = GrammarResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than a check accepts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of `text` and `markdown`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The checker is busy", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check_grammar(
    State(notes): State<NotesService>,
    user: AuthUser,
    Json(request): Json<GrammarRequest>,
) -> Result<Json<GrammarResponse>, ApiError> {
    let (text, format, field) = match (request.text, request.markdown) {
        (Some(text), None) => (text, Format::PlainText, "text"),
        (None, Some(markdown)) => (markdown, Format::Markdown, "markdown"),
        _ => {
            return Err(ApiError::validation(vec![FieldError::new(
                "text",
                "required",
                "send exactly one of `text` and `markdown`",
            )]));
        }
    };
    if text.len() > notes.settings.max_grammar_bytes {
        return Err(too_large(field, notes.settings.max_grammar_bytes));
    }
    check(&notes, user, text, format, request.dialect).await
}

/// Check a saved note.
///
/// `curl 'localhost:8080/notes/$ID/grammar?dialect=british' -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/{id}/grammar",
    params(("id" = String, Path, description = "Note id"), GrammarQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The issues, with spans into the note's markdown", body = GrammarResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The note is larger than a check accepts", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The checker is busy", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check_note_grammar(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<GrammarQuery>,
) -> Result<Json<GrammarResponse>, ApiError> {
    let row = owned_note(&notes, user.id, &id).await?;
    if usize::try_from(row.size_bytes).unwrap_or(usize::MAX) > notes.settings.max_grammar_bytes {
        return Err(too_large("note", notes.settings.max_grammar_bytes));
    }
    let markdown = notes.markdown(&row).await?;
    let dialect = query.dialect.unwrap_or_default();
    check(&notes, user, markdown, Format::Markdown, dialect).await
}

async fn check(
    notes: &NotesService,
    user: AuthUser,
    text: String,
    format: Format,
    dialect: EnglishDialect,
) -> Result<Json<GrammarResponse>, ApiError> {
    let accepted = notes.accepted_words(user.id).await?;
    let issues = notes
        .grammar
        .check(user.id, text, format, dialect, accepted)
        .await
        .map_err(|error| match error {
            GrammarUnavailable::Busy => ApiError::unavailable(error.to_string(), 1),
            GrammarUnavailable::Failed => ApiError::invalid_field(
                "text",
                "check_failed",
                "the grammar checker could not check this text",
            ),
        })?;
    Ok(Json(GrammarResponse {
        count: issues.len(),
        issues,
    }))
}

fn too_large(field: &str, limit: usize) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "text_too_large",
        format!("{field}: at most {limit} bytes"),
    )
}
