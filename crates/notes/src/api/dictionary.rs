//! Your dictionary: words the spelling check accepts for you.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::db::begin_write;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::dto::{DictionaryRequest, DictionaryResponse};
use crate::entities::dictionary;
use crate::service::NotesService;

/// Longest accepted word, in characters.
const MAX_WORD_CHARS: usize = 64;

fn parse_word(raw: &str) -> Result<String, ApiError> {
    let word = raw.trim().to_lowercase();
    let valid = !word.is_empty()
        && word.chars().count() <= MAX_WORD_CHARS
        && word.chars().any(char::is_alphabetic)
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '\'' || c == '-' || c == '’');
    if valid {
        Ok(word)
    } else {
        Err(ApiError::invalid_field(
            "word",
            "invalid",
            format!("one word of at most {MAX_WORD_CHARS} letters, digits, apostrophes or hyphens"),
        ))
    }
}

/// Your accepted words.
///
/// `curl localhost:8080/notes/dictionary -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/dictionary",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The words", body = DictionaryResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_words(
    State(notes): State<NotesService>,
    user: AuthUser,
) -> Result<Json<DictionaryResponse>, ApiError> {
    let words = dictionary::Entity::find()
        .filter(dictionary::Column::UserId.eq(user.id))
        .order_by_asc(dictionary::Column::Word)
        .all(&notes.db)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|row| row.word)
        .collect();
    Ok(Json(DictionaryResponse { words }))
}

/// Accept a word as correctly spelled in your grammar checks.
///
/// `curl -X POST localhost:8080/notes/dictionary -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"word":"comrak"}'`
#[utoipa::path(
    post,
    path = "/dictionary",
    request_body = DictionaryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added (or already there)", body = DictionaryResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dictionary is full", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a word", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_word(
    State(notes): State<NotesService>,
    user: AuthUser,
    Json(request): Json<DictionaryRequest>,
) -> Result<(StatusCode, Json<DictionaryResponse>), ApiError> {
    let word = parse_word(&request.word)?;
    let txn = begin_write(&notes.db).await.map_err(ApiError::internal)?;
    let held = dictionary::Entity::find()
        .filter(dictionary::Column::UserId.eq(user.id))
        .count(&txn)
        .await
        .map_err(ApiError::internal)?;
    if held >= notes.settings.max_dictionary_words {
        return Err(ApiError::conflict(
            "dictionary_full",
            format!(
                "a dictionary holds at most {} words",
                notes.settings.max_dictionary_words
            ),
        ));
    }
    let row = dictionary::ActiveModel {
        user_id: Set(user.id),
        word: Set(word.clone()),
        created_at: Set(Utc::now()),
    };
    dictionary::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([dictionary::Column::UserId, dictionary::Column::Word])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(ApiError::internal)?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(DictionaryResponse { words: vec![word] }),
    ))
}

/// Remove a word from your dictionary.
///
/// `curl -X DELETE localhost:8080/notes/dictionary/comrak -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    delete,
    path = "/dictionary/{word}",
    params(("word" = String, Path, description = "The word")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in your dictionary", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_word(
    State(notes): State<NotesService>,
    user: AuthUser,
    Path(word): Path<String>,
) -> Result<StatusCode, ApiError> {
    let word = parse_word(&word).map_err(|_| ApiError::not_found("word"))?;
    let txn = notes.db.begin().await.map_err(ApiError::internal)?;
    let deleted = dictionary::Entity::delete_by_id((user.id, word))
        .exec(&txn)
        .await
        .map_err(ApiError::internal)?;
    txn.commit().await.map_err(ApiError::internal)?;
    if deleted.rows_affected == 1 {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("word"))
    }
}
