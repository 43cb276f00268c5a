//! Face 2: the RealWorld "Conduit" API at `/blog/api`, conforming to the public spec:
//! its envelopes, `Authorization: Token <jwt>` (Bearer accepted too), and errors as
//! `{"errors": {"field": ["message"]}}` with 401, 403, 404 and 422.

mod articles;
mod comments;
pub mod dto;
mod error;
mod profiles;
mod users;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::http::extract::{Json, Query};
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ConduitError;

use crate::model::Viewer;
use crate::service::BlogService;

/// Every Conduit route, with the blog service as state.
pub fn router(service: BlogService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::login))
        .routes(routes!(users::current_user, users::update_user))
        .routes(routes!(profiles::get_profile))
        .routes(routes!(profiles::follow, profiles::unfollow))
        .routes(routes!(articles::feed))
        .routes(routes!(articles::list_articles, articles::create_article))
        .routes(routes!(
            articles::get_article,
            articles::update_article,
            articles::delete_article
        ))
        .routes(routes!(articles::favorite, articles::unfavorite))
        .routes(routes!(articles::publish))
        .routes(routes!(articles::unpublish))
        .routes(routes!(comments::list_comments, comments::add_comment))
        .routes(routes!(comments::delete_comment))
        .routes(routes!(comments::tags))
        .with_state(service)
}

/// A JSON body whose rejections are RealWorld errors.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ConduitError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ConduitError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(Into::into)
    }
}

/// Query parameters whose rejections are RealWorld errors.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ConduitError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ConduitError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(Into::into)
    }
}

/// The signed-in caller and the token they sent (RealWorld echoes it in `user.token`).
pub struct Me {
    /// The caller.
    pub user: AuthUser,
    /// The raw token.
    pub token: String,
}

fn presented_token(parts: &Parts) -> String {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, token)| token.trim().to_owned())
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Me {
    type Rejection = ConduitError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ConduitError> {
        match groundwork_platform::auth::extract::authenticate(parts)? {
            Some(user) => Ok(Me {
                user,
                token: presented_token(parts),
            }),
            None => Err(ConduitError::token("is missing")),
        }
    }
}

/// An optional caller: anonymous without a header, 401 with a bad token.
pub struct MaybeMe(pub Option<AuthUser>);

impl MaybeMe {
    /// The viewer this caller is.
    pub fn viewer(&self) -> Viewer {
        self.0.clone().map(Viewer::user).unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeMe {
    type Rejection = ConduitError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ConduitError> {
        Ok(MaybeMe(groundwork_platform::auth::extract::authenticate(
            parts,
        )?))
    }
}
