//! The `/shorten` handlers. Checks live in `request.rs`, queries in `repo.rs`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::auth::extract::{AuthUser, MaybeUser};
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::{Json, Path};
use groundwork_platform::pagination::{PageQuery, Paginated};
use groundwork_platform::{ApiError, ApiResult};

use super::request::{CreateLinkRequest, UpdateLinkRequest};
use super::{LinkResponse, Site, StatsResponse, check_may_change, repo};
use crate::cache::LinkRecord;
use crate::clicks::ClickHeaders;
use crate::code::looks_like_code;
use crate::entities::links;
use crate::error::{Body, Params, no_such_link, spec_status};
use crate::service::Shortener;

/// Creates a link for `caller` (the API and the HTML form both come here).
pub async fn create_link_from(
    state: &Shortener,
    request: CreateLinkRequest,
    caller: Option<&AuthUser>,
    ip: IpAddr,
    site: &Site,
) -> Result<links::Model, ApiError> {
    let new = request.check(&state.policy, site.host.as_deref())?;
    state
        .check_creation_quota(caller.map(|user| user.id), ip)
        .await?;
    let row = repo::insert(
        &state.db,
        new,
        caller.map(|user| user.id),
        state.settings.code_length,
    )
    .await?;
    // Another instance may remember this code as unknown.
    state
        .cache
        .changed(&row.code, Some(&LinkRecord::from(&row)))
        .await;
    Ok(row)
}

/// The first problem of a failed creation, in words (for the HTML form).
pub fn creation_error_message(error: &ApiError) -> String {
    match error.field_errors().first() {
        Some(field) => field.message.clone(),
        None => error.to_problem().detail,
    }
}

/// The link behind `code`, or 404 (also for strings that cannot be codes).
async fn existing(state: &Shortener, code: &str) -> Result<links::Model, ApiError> {
    if !looks_like_code(code) {
        return Err(no_such_link());
    }
    repo::find_by_code(&state.db, code)
        .await?
        .ok_or_else(no_such_link)
}

/// Create a short URL. Anonymous requests work (as in the roadmap spec); with a bearer
/// token the link belongs to that account.
///
/// `curl -X POST localhost:8080/shortener/shorten -H 'content-type: application/json' -d '{"url":"https://www.example.com/some/long/url"}'`
#[utoipa::path(
    post,
    path = "/shorten",
    request_body = CreateLinkRequest,
    responses(
        (status = 201, description = "Created", body = LinkResponse),
        (status = 400, description = "Invalid URL, alias or option (problem+json with a field list)"),
        (status = 409, description = "Alias already taken"),
        (status = 429, description = "Too many links created; see Retry-After"),
    ),
    security((), ("bearer" = []))
)]
pub async fn create_link(
    State(state): State<Arc<Shortener>>,
    MaybeUser(caller): MaybeUser,
    ClientIp(ip): ClientIp,
    site: Site,
    Body(request): Body<CreateLinkRequest>,
) -> ApiResult<(StatusCode, Json<LinkResponse>)> {
    let row = create_link_from(&state, request, caller.as_ref(), ip, &site).await?;
    Ok((
        StatusCode::CREATED,
        Json(LinkResponse::new(row, &site.base)),
    ))
}

/// The signed-in account's links, newest first.
///
/// `curl 'localhost:8080/shortener/shorten?page=1&limit=20' -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/shorten",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of links", body = Paginated<LinkResponse>),
        (status = 400, description = "Bad page or limit"),
        (status = 401, description = "No or bad token"),
    ),
    security(("bearer" = []))
)]
pub async fn list_links(
    State(state): State<Arc<Shortener>>,
    caller: AuthUser,
    site: Site,
    Params(query): Params<PageQuery>,
) -> ApiResult<Json<Paginated<StatsResponse>>> {
    let page = query.page().map_err(spec_status)?;
    state.clicks.flush().await?;
    let (rows, total) = repo::list_by_owner(&state.db, caller.id, page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let counts = repo::access_counts(&state.db, &ids).await?;
    let data = rows
        .into_iter()
        .map(|row| StatsResponse {
            access_count: counts.get(&row.id).copied().unwrap_or(0),
            link: LinkResponse::new(row, &site.base),
        })
        .collect();
    Ok(Json(Paginated {
        data,
        page: page.page,
        limit: page.limit,
        total,
    }))
}

/// Retrieve the original URL. Counts as an access, like a redirect.
///
/// `curl localhost:8080/shortener/shorten/abc123`
#[utoipa::path(
    get,
    path = "/shorten/{code}",
    params(("code" = String, Path, description = "Short code or alias")),
    responses(
        (status = 200, description = "The link", body = LinkResponse),
        (status = 404, description = "No such short URL"),
    )
)]
pub async fn get_link(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    ClientIp(ip): ClientIp,
    headers: ClickHeaders,
    site: Site,
) -> ApiResult<Json<LinkResponse>> {
    let row = existing(&state, &code).await?;
    state.clicks.record(&headers.click(row.id, ip));
    Ok(Json(LinkResponse::new(row, &site.base)))
}

async fn apply_update(
    state: &Shortener,
    code: &str,
    caller: Option<&AuthUser>,
    site: &Site,
    request: UpdateLinkRequest,
    require_url: bool,
) -> ApiResult<Json<LinkResponse>> {
    let row = existing(state, code).await?;
    check_may_change(&row, caller, state.settings.anonymous_links_editable)?;
    let changes = request.check(&state.policy, site.host.as_deref(), require_url)?;
    let row = repo::update(&state.db, row, changes)
        .await?
        .ok_or_else(no_such_link)?;
    state
        .cache
        .changed(&row.code, Some(&LinkRecord::from(&row)))
        .await;
    Ok(Json(LinkResponse::new(row, &site.base)))
}

/// Update a short URL's target (the spec's body: `{"url": ...}`); Bitly-lite's fields may
/// come along. Takes effect on every instance at once.
///
/// `curl -X PUT localhost:8080/shortener/shorten/abc123 -H 'content-type: application/json' -d '{"url":"https://www.example.com/some/updated/url"}'`
#[utoipa::path(
    put,
    path = "/shorten/{code}",
    params(("code" = String, Path, description = "Short code or alias")),
    request_body = UpdateLinkRequest,
    responses(
        (status = 200, description = "Updated", body = LinkResponse),
        (status = 400, description = "Invalid body"),
        (status = 401, description = "The link has an owner; sign in"),
        (status = 403, description = "Someone else's link"),
        (status = 404, description = "No such short URL"),
    ),
    security((), ("bearer" = []))
)]
pub async fn replace_link(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    MaybeUser(caller): MaybeUser,
    site: Site,
    Body(request): Body<UpdateLinkRequest>,
) -> ApiResult<Json<LinkResponse>> {
    apply_update(&state, &code, caller.as_ref(), &site, request, true).await
}

/// Change some of a link's fields (`enabled`, `expiresAt`, `maxClicks`, `redirectType`,
/// `url`); `null` clears `expiresAt` or `maxClicks`.
///
/// `curl -X PATCH localhost:8080/shortener/shorten/abc123 -H 'content-type: application/json' -d '{"enabled":false}'`
#[utoipa::path(
    patch,
    path = "/shorten/{code}",
    params(("code" = String, Path, description = "Short code or alias")),
    request_body = UpdateLinkRequest,
    responses(
        (status = 200, description = "Updated", body = LinkResponse),
        (status = 400, description = "Invalid body"),
        (status = 401, description = "The link has an owner; sign in"),
        (status = 403, description = "Someone else's link"),
        (status = 404, description = "No such short URL"),
    ),
    security((), ("bearer" = []))
)]
pub async fn patch_link(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    MaybeUser(caller): MaybeUser,
    site: Site,
    Body(request): Body<UpdateLinkRequest>,
) -> ApiResult<Json<LinkResponse>> {
    apply_update(&state, &code, caller.as_ref(), &site, request, false).await
}

/// Delete a short URL and its analytics.
///
/// `curl -X DELETE localhost:8080/shortener/shorten/abc123`
#[utoipa::path(
    delete,
    path = "/shorten/{code}",
    params(("code" = String, Path, description = "Short code or alias")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "The link has an owner; sign in"),
        (status = 403, description = "Someone else's link"),
        (status = 404, description = "No such short URL"),
    ),
    security((), ("bearer" = []))
)]
pub async fn delete_link(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    MaybeUser(caller): MaybeUser,
) -> ApiResult<StatusCode> {
    let row = existing(&state, &code).await?;
    check_may_change(
        &row,
        caller.as_ref(),
        state.settings.anonymous_links_editable,
    )?;
    if !repo::delete(&state.db, row.id).await? {
        return Err(no_such_link());
    }
    state.cache.changed(&row.code, None).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Statistics: the link and its access count (every instance's clicks, up to the last
/// flush of each; this instance's are flushed first).
///
/// `curl localhost:8080/shortener/shorten/abc123/stats`
#[utoipa::path(
    get,
    path = "/shorten/{code}/stats",
    params(("code" = String, Path, description = "Short code or alias")),
    responses(
        (status = 200, description = "The link with accessCount", body = StatsResponse),
        (status = 404, description = "No such short URL"),
    )
)]
pub async fn link_stats(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    site: Site,
) -> ApiResult<Json<StatsResponse>> {
    let row = existing(&state, &code).await?;
    state.clicks.flush().await?;
    let access_count = repo::access_count(&state.db, row.id).await?;
    Ok(Json(StatsResponse {
        link: LinkResponse::new(row, &site.base),
        access_count,
    }))
}
