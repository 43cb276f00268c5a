//! The five roadmap endpoints.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use groundwork_platform::auth::MaybeUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::{Json, Path};

use super::request::{PostQuery, PostRequest};
use super::{Body, Params, PostResponse, PostsError};
use crate::errors::not_found;
use crate::model::{ArticleKey, Viewer};
use crate::service::{BlogService, Writer};

fn writer(user: MaybeUser, client: ClientIp) -> Writer {
    match user.0 {
        Some(user) => Writer::User(user),
        None => Writer::Anonymous(client.0),
    }
}

fn viewer(user: MaybeUser) -> Viewer {
    user.0.map(Viewer::user).unwrap_or_default()
}

/// Post ids are numbers; anything else names no post (404, not 400).
fn post_key(raw: &str) -> Result<ArticleKey, PostsError> {
    raw.parse::<i64>()
        .map(ArticleKey::Id)
        .map_err(|_| not_found("article").into())
}

/// Create a post.
#[utoipa::path(
    post,
    path = "/posts",
    request_body = PostRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "The new post", body = PostResponse),
        (status = 400, description = "Invalid body, with a message per field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Anonymous writes are turned off (`blog.posts_require_auth`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many writes", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_post(
    State(blog): State<BlogService>,
    user: MaybeUser,
    client: ClientIp,
    Body(request): Body<PostRequest>,
) -> Result<(StatusCode, Json<PostResponse>), PostsError> {
    let article = blog
        .create_article(&writer(user, client), request.into_new()?)
        .await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

/// List posts, newest first: a bare JSON array, the total in `X-Total-Count`.
#[utoipa::path(
    get,
    path = "/posts",
    params(PostQuery),
    responses(
        (status = 200, description = "Posts (at most 1 000 without `page`/`limit`)", body = Vec<PostResponse>,
         headers(("X-Total-Count" = u64, description = "Posts matching the filters"))),
        (status = 400, description = "Bad filter or paging value", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_posts(
    State(blog): State<BlogService>,
    user: MaybeUser,
    Params(query): Params<PostQuery>,
) -> Result<Response, PostsError> {
    let (filter, window) = query.parse()?;
    let (articles, total) = blog
        .list_articles(&filter, None, window, &viewer(user))
        .await?;
    let posts: Vec<PostResponse> = articles.into_iter().map(Into::into).collect();
    let mut response = Json(posts).into_response();
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    Ok(response)
}

/// Get a post.
#[utoipa::path(
    get,
    path = "/posts/{id}",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "The post", body = PostResponse),
        (status = 404, description = "No such post (or a draft of someone else)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_post(
    State(blog): State<BlogService>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> Result<Json<PostResponse>, PostsError> {
    Ok(Json(
        blog.article(&post_key(&id)?, &viewer(user)).await?.into(),
    ))
}

/// Replace a post's title, content, category and tags.
#[utoipa::path(
    put,
    path = "/posts/{id}",
    params(("id" = i64, Path, description = "Post id")),
    request_body = PostRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The updated post", body = PostResponse),
        (status = 400, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The post has an author: their token is needed", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_post(
    State(blog): State<BlogService>,
    user: MaybeUser,
    client: ClientIp,
    Path(id): Path<String>,
    Body(request): Body<PostRequest>,
) -> Result<Json<PostResponse>, PostsError> {
    let key = post_key(&id)?;
    let article = blog
        .update_article(&key, &writer(user, client), request.into_changes()?)
        .await?;
    Ok(Json(article.into()))
}

/// Delete a post.
#[utoipa::path(
    delete,
    path = "/posts/{id}",
    params(("id" = i64, Path, description = "Post id")),
    security((), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "The post has an author: their token is needed", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_post(
    State(blog): State<BlogService>,
    user: MaybeUser,
    client: ClientIp,
    Path(id): Path<String>,
) -> Result<StatusCode, PostsError> {
    blog.delete_article(&post_key(&id)?, &writer(user, client))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
