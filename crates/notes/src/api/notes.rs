//! The note endpoints: save, list and search, read, render, change, delete.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::{PageQuery, Paginated};
use uuid::Uuid;

use super::dto::{
    CreateNoteRequest, CreatedNotes, HtmlQuery, ListQuery, NoteDetail, NoteResponse,
    UpdateNoteRequest, UploadResponse,
};
use super::upload;
use crate::entities::notes;
use crate::markdown::{render_safe, standalone_page};
use crate::notes::domain::{self, NoteText};
use crate::notes::{repo, search};
use crate::service::NotesService;

/// Note ids are UUIDs; anything else names no note.
fn note_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("note"))
}

/// `owner`'s note, or 404 (also for someone else's note: its existence is not revealed).
pub(super) async fn owned_note(
    notes: &NotesService,
    owner: Uuid,
    id: &str,
) -> Result<notes::Model, ApiError> {
    repo::find(&notes.db, owner, note_id(id)?)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("note"))
}

/// Save a note from JSON, or one note per file from a multipart upload (every part with
/// a filename, `.md`, `.markdown` or `.txt`, becomes a note).
///
/// `curl -X POST localhost:8080/notes -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"markdown":"# Groceries\n\n- [ ] milk"}'`
///
/// `curl -X POST localhost:8080/notes -H "Authorization: Bearer $TOKEN" -F file=@todo.md -F file=@ideas.md`
#[utoipa::path(
    post,
    path = "/",
    request_body(content(
        (CreateNoteRequest = "application/json"),
        (String = "multipart/form-data"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved: the note (JSON body) or `{data: [notes]}` (upload)", body = CreatedNotes),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account holds the most notes it may", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A note or the request is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, not UTF-8, binary, not a markdown file name, nested too deeply, bad title", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_note(
    State(notes): State<NotesService>,
    user: AuthUser,
    request: Request,
) -> Result<(StatusCode, Json<CreatedNotes>), ApiError> {
    if upload::is_multipart(&request) {
        let new_notes = upload::uploaded_notes(request, &notes.settings).await?;
        let rows = notes.create(user.id, new_notes).await?;
        let data = rows.into_iter().map(Into::into).collect();
        return Ok((
            StatusCode::CREATED,
            Json(CreatedNotes::Many(UploadResponse { data })),
        ));
    }
    let new_note = upload::json_note(request, &notes.settings).await?;
    let row = notes
        .create(user.id, vec![new_note])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a saved note went missing"))?;
    Ok((StatusCode::CREATED, Json(CreatedNotes::One(row.into()))))
}

/// List your notes, most recently changed first; with `q`, search titles and text.
///
/// `curl 'localhost:8080/notes?q=groceries&limit=10' -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<NoteResponse>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging value", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_notes(
    State(notes): State<NotesService>,
    user: AuthUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Paginated<NoteResponse>>, ApiError> {
    let page = PageQuery {
        page: query.page,
        limit: query.limit,
    }
    .page()?;
    let words = query
        .q
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .map(search::query_words);
    let (rows, total) = repo::list(&notes.db, user.id, words.as_deref(), page)
        .await
        .map_err(ApiError::internal)?;
    let data = rows.into_iter().map(Into::into).collect();
    Ok(Json(Paginated::new(data, page, total)))
}

/// A note's metadata and markdown.
///
/// `curl localhost:8080/notes/$ID -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/{id}",
    params(("id" = String, Path, description = "Note id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The note", body = NoteDetail),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_note(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<NoteDetail>, ApiError> {
    let row = owned_note(&notes, user.id, &id).await?;
    let markdown = notes.markdown(&row).await?;
    Ok(Json(NoteDetail {
        note: row.into(),
        markdown,
    }))
}

/// The markdown alone, as `text/markdown`.
///
/// `curl localhost:8080/notes/$ID/raw -H "Authorization: Bearer $TOKEN" -o note.md`
#[utoipa::path(
    get,
    path = "/{id}/raw",
    params(("id" = String, Path, description = "Note id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The markdown", body = String, content_type = "text/markdown"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_raw_note(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let row = owned_note(&notes, user.id, &id).await?;
    let etag = format!("\"{}\"", row.blob_hash);
    if not_modified(&headers, &etag) {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let markdown = notes.markdown(&row).await?;
    let response = (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        markdown,
    );
    Ok(with_etag(response.into_response(), &etag))
}

/// The note rendered to sanitised HTML: a fragment, or with `?standalone=true` a page.
///
/// `curl 'localhost:8080/notes/$ID/html?standalone=true' -H "Authorization: Bearer $TOKEN" -o note.html`
#[utoipa::path(
    get,
    path = "/{id}/html",
    params(("id" = String, Path, description = "Note id"), HtmlQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The HTML", body = String, content_type = "text/html"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_note_html(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<HtmlQuery>,
) -> Result<Response, ApiError> {
    let row = owned_note(&notes, user.id, &id).await?;
    let markdown = notes.markdown(&row).await?;
    let html = render(markdown).await?;
    let body = if query.standalone.unwrap_or(false) {
        standalone_page(&row.title, &html)
    } else {
        html
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
}

/// Renders on the blocking pool: a large note takes milliseconds of CPU.
pub(super) async fn render(markdown: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || render_safe(&markdown))
        .await
        .map_err(ApiError::internal)?
        .map_err(|error| {
            ApiError::invalid_field("markdown", "too_deeply_nested", error.to_string())
        })
}

/// Change a note's title and/or text.
///
/// `curl -X PUT localhost:8080/notes/$ID -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"title":"Groceries (Friday)"}'`
#[utoipa::path(
    put,
    path = "/{id}",
    params(("id" = String, Path, description = "Note id")),
    request_body = UpdateNoteRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed note", body = NoteResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The text is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to change, or an invalid title or text", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_note(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<UpdateNoteRequest>,
) -> Result<Json<NoteResponse>, ApiError> {
    let id = note_id(&id)?;
    if request.title.is_none() && request.markdown.is_none() {
        return Err(ApiError::invalid_field(
            "body",
            "required",
            "send a title, a markdown text, or both",
        ));
    }
    let title = request
        .title
        .as_deref()
        .map(domain::parse_title)
        .transpose()?;
    let text = request
        .markdown
        .map(|markdown| NoteText::from_string(markdown, notes.settings.max_note_bytes))
        .transpose()
        .map_err(|e| e.into_api_error("markdown"))?;
    let row = notes
        .update(user.id, id, title, text)
        .await?
        .ok_or_else(|| ApiError::not_found("note"))?;
    Ok(Json(row.into()))
}

/// Delete a note (its text too, unless another note has the same text).
///
/// `curl -X DELETE localhost:8080/notes/$ID -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    delete,
    path = "/{id}",
    params(("id" = String, Path, description = "Note id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such note of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_note(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if notes.delete(user.id, note_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("note"))
    }
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        })
}

fn with_etag(mut response: Response, etag: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}
