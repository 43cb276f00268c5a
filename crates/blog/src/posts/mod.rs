//! Face 1: the roadmap "blogging platform API" at `/blog/posts`, as its public page
//! specifies: `{title, content, category, tags}` in, posts with numeric `id`, `createdAt`
//! and `updatedAt` out, bare arrays for lists, 400 for validation errors, 404, 204.
//!
//! The spec has no authentication. By default anyone may write, and anonymous posts
//! belong to the configured default author; a bearer token makes the caller the author
//! (and only the author, or an admin, may then change it). `blog.posts_require_auth`
//! makes every write need a token.

mod handlers;
mod request;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::http::extract::{Json, Query};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::model::Article;
use crate::service::BlogService;

/// Every roadmap route, with the blog service as state.
pub fn router(service: BlogService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_post, handlers::list_posts))
        .routes(routes!(
            handlers::get_post,
            handlers::update_post,
            handlers::delete_post
        ))
        .with_state(service)
}

/// A post as the roadmap spec shows it, plus `author`, `published` and `publishedAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostResponse {
    /// Numeric id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub content: String,
    /// Category.
    pub category: Option<String>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Creation time (UTC).
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Author's username.
    pub author: String,
    /// Whether the post is public (drafts are visible to their author only).
    pub published: bool,
    /// Publication time, if published.
    #[serde(serialize_with = "crate::timefmt::serialize_option")]
    pub published_at: Option<DateTime<Utc>>,
}

impl From<Article> for PostResponse {
    fn from(article: Article) -> Self {
        Self {
            id: article.id,
            title: article.title,
            content: article.body,
            category: article.category,
            tags: article.tags,
            created_at: article.created_at,
            updated_at: article.updated_at,
            author: article.author.profile.username,
            published: article.published_at.is_some(),
            published_at: article.published_at,
        }
    }
}

/// A JSON body whose rejections follow this face's rules (validation is 400).
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = PostsError;

    async fn from_request(request: Request, state: &S) -> Result<Self, PostsError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(PostsError)
    }
}

/// Query parameters whose rejections follow this face's rules.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = PostsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PostsError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(PostsError)
    }
}

/// An error on this face: problem+json, with validation failures as 400 (the spec's
/// status) and articles called posts.
pub struct PostsError(ApiError);

impl From<ApiError> for PostsError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<sea_orm::DbErr> for PostsError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for PostsError {
    fn into_response(self) -> Response {
        let error = self.0;
        let renamed = match crate::errors::resource_of(error.code()) {
            Some("article") if error.status() == StatusCode::NOT_FOUND => {
                ApiError::not_found("post")
            }
            Some("article") => ApiError::forbidden("only the author may change this post"),
            _ if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                error.with_status(StatusCode::BAD_REQUEST)
            }
            _ => error,
        };
        renamed.into_response()
    }
}
