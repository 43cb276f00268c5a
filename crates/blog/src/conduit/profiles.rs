//! `GET /profiles/{username}`, `POST`/`DELETE /profiles/{username}/follow`.

use axum::extract::State;
use groundwork_platform::http::extract::{Json, Path};

use super::dto::{ProfileBody, ProfileEnvelope};
use super::error::GenericErrorModel;
use super::{ConduitError, MaybeMe, Me};
use crate::service::BlogService;

/// A profile (auth optional: `following` needs it).
#[utoipa::path(
    get,
    path = "/profiles/{username}",
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The profile", body = ProfileEnvelope),
        (status = 404, description = "No such user", body = GenericErrorModel),
    )
)]
pub async fn get_profile(
    State(blog): State<BlogService>,
    me: MaybeMe,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    let author = blog.profile(&username, &me.viewer()).await?;
    Ok(Json(ProfileEnvelope {
        profile: ProfileBody::from(author),
    }))
}

async fn set_following(
    blog: &BlogService,
    me: &Me,
    username: &str,
    follow: bool,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    let user = blog.auth().current_user(me.user.id).await?;
    let author = blog.set_following(&user, username, follow).await?;
    Ok(Json(ProfileEnvelope {
        profile: author.into(),
    }))
}

/// Follow a user (idempotent).
#[utoipa::path(
    post,
    path = "/profiles/{username}/follow",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The profile, now followed", body = ProfileEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 404, description = "No such user", body = GenericErrorModel),
        (status = 422, description = "Following yourself", body = GenericErrorModel),
    )
)]
pub async fn follow(
    State(blog): State<BlogService>,
    me: Me,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    set_following(&blog, &me, &username, true).await
}

/// Unfollow a user (idempotent).
#[utoipa::path(
    delete,
    path = "/profiles/{username}/follow",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The profile, no longer followed", body = ProfileEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 404, description = "No such user", body = GenericErrorModel),
    )
)]
pub async fn unfollow(
    State(blog): State<BlogService>,
    me: Me,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    set_following(&blog, &me, &username, false).await
}
