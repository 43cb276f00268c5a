//! `POST /users`, `POST /users/login`, `GET /user`, `PUT /user`.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::auth::email::Email;
use groundwork_platform::auth::password::NewPassword;
use groundwork_platform::auth::service::User;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::Json;
use groundwork_platform::http::no_store::NoStore;
use groundwork_platform::{ApiError, FieldError};

use super::dto::{LoginRequest, NewUserRequest, UpdateUserRequest, UserBody, UserEnvelope};
use super::error::GenericErrorModel;
use super::{Body, ConduitError, Me};
use crate::domain::{self, Username};
use crate::model::Profile;
use crate::service::{BlogService, UserChanges};

fn envelope(
    blog: &BlogService,
    user: User,
    profile: Profile,
    token: Option<String>,
) -> Result<NoStore<Json<UserEnvelope>>, ConduitError> {
    let token = match token {
        Some(token) => token,
        None => blog.auth().issue_access_token(
            &user,
            Duration::from_secs(blog.settings().conduit_token_ttl_secs),
        )?,
    };
    Ok(NoStore(Json(UserEnvelope {
        user: UserBody::new(user.email, profile, token),
    })))
}

fn collect<T>(
    results: impl IntoIterator<Item = Result<T, FieldError>>,
) -> (Vec<T>, Vec<FieldError>) {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(error) => errors.push(error),
        }
    }
    (values, errors)
}

/// Register a user.
#[utoipa::path(
    post,
    path = "/users",
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Registered and signed in", body = UserEnvelope),
        (status = 422, description = "Invalid or taken username, email or password", body = GenericErrorModel),
    )
)]
pub async fn register(
    State(blog): State<BlogService>,
    Body(request): Body<NewUserRequest>,
) -> Result<(StatusCode, NoStore<Json<UserEnvelope>>), ConduitError> {
    let user = request.user;
    let username = Username::parse(&user.username);
    let email = Email::parse(&user.email);
    let password = NewPassword::parse("password", &user.password);
    let (username, email, password) = match (username, email, password) {
        (Ok(u), Ok(e), Ok(p)) => (u, e, p),
        (u, e, p) => {
            let errors = [u.err(), e.err(), p.err()].into_iter().flatten().collect();
            return Err(ApiError::validation(errors).into());
        }
    };
    let (user, profile) = blog.register(username, email, password).await?;
    Ok((StatusCode::CREATED, envelope(&blog, user, profile, None)?))
}

/// Sign in.
#[utoipa::path(
    post,
    path = "/users/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = UserEnvelope),
        (status = 401, description = "Wrong email or password", body = GenericErrorModel),
        (status = 422, description = "Missing fields", body = GenericErrorModel),
        (status = 429, description = "Too many failed attempts", body = GenericErrorModel),
    )
)]
pub async fn login(
    State(blog): State<BlogService>,
    ClientIp(client): ClientIp,
    Body(request): Body<LoginRequest>,
) -> Result<NoStore<Json<UserEnvelope>>, ConduitError> {
    let user = blog
        .auth()
        .authenticate(&request.user.email, &request.user.password, client)
        .await?;
    let profile = blog.profile_for(&user).await?;
    envelope(&blog, user, profile, None)
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/user",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current user", body = UserEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
    )
)]
pub async fn current_user(
    State(blog): State<BlogService>,
    me: Me,
) -> Result<NoStore<Json<UserEnvelope>>, ConduitError> {
    let user = blog.auth().current_user(me.user.id).await?;
    let profile = blog.profile_for(&user).await?;
    envelope(&blog, user, profile, Some(me.token))
}

/// Update the signed-in user (at least one field).
#[utoipa::path(
    put,
    path = "/user",
    security(("bearer" = [])),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The updated user", body = UserEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 422, description = "Invalid or taken values, or no field at all", body = GenericErrorModel),
    )
)]
pub async fn update_user(
    State(blog): State<BlogService>,
    me: Me,
    Body(request): Body<UpdateUserRequest>,
) -> Result<NoStore<Json<UserEnvelope>>, ConduitError> {
    let fields = request.user;
    let nothing = fields.email.is_none()
        && fields.password.is_none()
        && fields.username.is_none()
        && fields.bio.is_none()
        && fields.image.is_none();
    if nothing {
        return Err(
            ApiError::invalid_field("user", "required", "at least one field is required").into(),
        );
    }
    let mut errors = Vec::new();
    let (email, e) = collect(fields.email.as_deref().map(Email::parse));
    errors.extend(e);
    let (password, e) = collect(
        fields
            .password
            .as_deref()
            .map(|p| NewPassword::parse("password", p)),
    );
    errors.extend(e);
    let (username, e) = collect(fields.username.as_deref().map(Username::parse));
    errors.extend(e);
    let (bio, e) = collect(fields.bio.map(|bio| domain::bio(bio.as_deref())));
    errors.extend(e);
    let (image, e) = collect(fields.image.map(|image| domain::image(image.as_deref())));
    errors.extend(e);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors).into());
    }
    let changes = UserChanges {
        email: email.into_iter().next(),
        password: password.into_iter().next(),
        username: username.into_iter().next(),
        bio: bio.into_iter().next(),
        image: image.into_iter().next(),
    };
    let user = blog.auth().current_user(me.user.id).await?;
    let changed_password = changes.password.is_some();
    let (user, profile) = blog.update_user(&user, changes).await?;
    // A new password signs out every session; the token sent so far stays valid until it
    // expires, so hand out a fresh one only when the password changed.
    let token = (!changed_password).then_some(me.token);
    envelope(&blog, user, profile, token)
}
