//! Comments and tags.

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::ApiError;
use groundwork_platform::http::extract::{Json, Path};

use super::dto::{CommentBody, CommentEnvelope, CommentsEnvelope, NewCommentRequest, TagsEnvelope};
use super::error::GenericErrorModel;
use super::{Body, ConduitError, MaybeMe, Me};
use crate::domain::{self, MAX_COMMENT};
use crate::errors::not_found;
use crate::model::ArticleKey;
use crate::service::BlogService;

/// An article's comments, oldest first.
#[utoipa::path(
    get,
    path = "/articles/{slug}/comments",
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The comments", body = CommentsEnvelope),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn list_comments(
    State(blog): State<BlogService>,
    me: MaybeMe,
    Path(slug): Path<String>,
) -> Result<Json<CommentsEnvelope>, ConduitError> {
    let comments = blog.comments(&ArticleKey::Slug(slug), &me.viewer()).await?;
    Ok(Json(CommentsEnvelope {
        comments: comments.into_iter().map(CommentBody::from).collect(),
    }))
}

/// Comment on an article.
#[utoipa::path(
    post,
    path = "/articles/{slug}/comments",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    request_body = NewCommentRequest,
    responses(
        (status = 201, description = "The new comment", body = CommentEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
        (status = 422, description = "Empty or too long", body = GenericErrorModel),
    )
)]
pub async fn add_comment(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
    Body(request): Body<NewCommentRequest>,
) -> Result<(StatusCode, Json<CommentEnvelope>), ConduitError> {
    let body = domain::text("body", &request.comment.body, MAX_COMMENT, true)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let comment = blog
        .add_comment(&ArticleKey::Slug(slug), &me.user, body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CommentEnvelope {
            comment: comment.into(),
        }),
    ))
}

/// Delete a comment (its author, the article's author, or an admin).
#[utoipa::path(
    delete,
    path = "/articles/{slug}/comments/{id}",
    security(("bearer" = [])),
    params(
        ("slug" = String, Path, description = "Article slug"),
        ("id" = i64, Path, description = "Comment id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "Someone else's comment", body = GenericErrorModel),
        (status = 404, description = "No such article or comment", body = GenericErrorModel),
    )
)]
pub async fn delete_comment(
    State(blog): State<BlogService>,
    me: Me,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ConduitError> {
    // Comment ids are numbers; anything else names no comment.
    let id: i64 = id.parse().map_err(|_| not_found("comment"))?;
    blog.delete_comment(&ArticleKey::Slug(slug), id, &me.user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tags in use, most used first.
#[utoipa::path(get, path = "/tags", responses((status = 200, description = "Tags", body = TagsEnvelope)))]
pub async fn tags(State(blog): State<BlogService>) -> Result<Json<TagsEnvelope>, ConduitError> {
    Ok(Json(TagsEnvelope {
        tags: blog.tags().await?,
    }))
}
