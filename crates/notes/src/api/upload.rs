//! Reading `POST /notes` bodies: JSON, or `multipart/form-data` with `.md` files.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use groundwork_platform::http::extract::{Json, payload_too_large};
use groundwork_platform::{ApiError, FieldError};

use super::dto::CreateNoteRequest;
use crate::notes::domain::{self, NoteText};
use crate::service::NewNote;
use crate::settings::NotesSettings;

/// Whether the body is a multipart upload.
pub fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The note a JSON body describes.
pub async fn json_note(request: Request, settings: &NotesSettings) -> Result<NewNote, ApiError> {
    let Json(body) = Json::<CreateNoteRequest>::from_request(request, &()).await?;
    let text = NoteText::from_string(body.markdown, settings.max_note_bytes)
        .map_err(|e| e.into_api_error("markdown"))?;
    let title = match body.title.as_deref() {
        Some(title) => domain::parse_title(title)?,
        None => text.default_title(None),
    };
    Ok(NewNote {
        text,
        title,
        file_name: None,
    })
}

/// The notes a multipart upload carries: every file part is one note (any field name);
/// other parts are ignored. Every file is checked before anything is stored.
pub async fn uploaded_notes(
    request: Request,
    settings: &NotesSettings,
) -> Result<Vec<NewNote>, ApiError> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| ApiError::bad_request("malformed_multipart", rejection.body_text()))?;
    let mut notes = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let Some(raw_name) = field.file_name().map(str::to_owned) else {
            continue;
        };
        if notes.len() == settings.max_files_per_upload {
            return Err(ApiError::validation(vec![FieldError::new(
                "file",
                "too_many_files",
                format!("at most {} files per upload", settings.max_files_per_upload),
            )]));
        }
        let file_name =
            domain::parse_file_name(&raw_name).map_err(|e| ApiError::validation(vec![e]))?;
        // Read no more than the limit (and a BOM) allows, whatever the client sends.
        let cap = settings.max_note_bytes + 3;
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if bytes.len() + chunk.len() > cap {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "note_too_large",
                    format!(
                        "{file_name}: a note may hold at most {} bytes",
                        settings.max_note_bytes
                    ),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = NoteText::from_bytes(&bytes, settings.max_note_bytes)
            .map_err(|e| e.into_api_error(&format!("file {file_name}")))?;
        let title = text.default_title(Some(&file_name));
        notes.push(NewNote {
            text,
            title,
            file_name: Some(file_name),
        });
    }
    if notes.is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "file",
            "required",
            "the upload holds no file parts (send each note as a part with a filename)",
        )]));
    }
    Ok(notes)
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        payload_too_large()
    } else {
        ApiError::bad_request("malformed_multipart", error.body_text())
    }
}
