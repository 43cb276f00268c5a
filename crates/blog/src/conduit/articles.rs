//! Articles, the feed and favorites.

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::http::extract::{Json, Path};
use groundwork_platform::{ApiError, FieldError};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    ArticleBody, ArticleEnvelope, ArticleListItem, ArticlesEnvelope, NewArticleRequest,
    UpdateArticleRequest,
};
use super::error::GenericErrorModel;
use super::{Body, ConduitError, MaybeMe, Me, Params};
use crate::domain::{self, MAX_BODY, MAX_DESCRIPTION, MAX_TITLE};
use crate::model::{ArticleChanges, ArticleFilter, ArticleKey, NewArticle, Viewer, Window};
use crate::service::{BlogService, Writer};

/// Largest `limit` accepted (the spec's default is 20).
const MAX_LIMIT: u64 = 100;

/// Filters and paging of `GET /articles` (and paging of the feed).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Articles with this tag.
    tag: Option<String>,
    /// Articles by this username.
    author: Option<String>,
    /// Articles favorited by this username.
    favorited: Option<String>,
    /// Extension: full-text search over title, description and body.
    q: Option<String>,
    /// Extension: `true` lists the caller's own drafts instead (auth required).
    drafts: Option<bool>,
    /// Articles per page, 1 to 100 (default 20).
    limit: Option<u64>,
    /// Articles to skip (default 0).
    offset: Option<u64>,
}

impl ArticleQuery {
    fn window(&self) -> Result<Window, ApiError> {
        let limit = self.limit.unwrap_or(20);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                "out_of_range",
                "must be between 1 and 100",
            ));
        }
        if offset > i64::MAX as u64 {
            return Err(ApiError::invalid_field(
                "offset",
                "out_of_range",
                "is too large",
            ));
        }
        Ok(Window { offset, limit })
    }

    fn filter(self) -> ArticleFilter {
        let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        ArticleFilter {
            tag: present(self.tag),
            author: present(self.author),
            favorited_by: present(self.favorited),
            query: present(self.q),
            ..ArticleFilter::default()
        }
    }
}

async fn page(
    blog: &BlogService,
    filter: ArticleFilter,
    drafts_of: Option<uuid::Uuid>,
    window: Window,
    viewer: &Viewer,
) -> Result<Json<ArticlesEnvelope>, ConduitError> {
    let (articles, total) = blog
        .list_articles(&filter, drafts_of, window, viewer)
        .await?;
    let articles = articles.into_iter().map(ArticleListItem::from).collect();
    Ok(Json(ArticlesEnvelope {
        articles,
        articles_count: total,
    }))
}

/// Recent articles, newest first (auth optional; it fills in `favorited` and `following`).
#[utoipa::path(
    get,
    path = "/articles",
    params(ArticleQuery),
    responses(
        (status = 200, description = "One page; `articlesCount` counts every match", body = ArticlesEnvelope),
        (status = 401, description = "Invalid token, or `drafts` without one", body = GenericErrorModel),
        (status = 422, description = "Bad `limit` or `offset`", body = GenericErrorModel),
    )
)]
pub async fn list_articles(
    State(blog): State<BlogService>,
    me: MaybeMe,
    Params(query): Params<ArticleQuery>,
) -> Result<Json<ArticlesEnvelope>, ConduitError> {
    let window = query.window()?;
    let drafts_of = match (query.drafts, &me.0) {
        (Some(true), Some(user)) => Some(user.id),
        (Some(true), None) => return Err(ConduitError::token("is missing")),
        _ => None,
    };
    let viewer = me.viewer();
    page(&blog, query.filter(), drafts_of, window, &viewer).await
}

/// Recent articles by the authors the caller follows.
#[utoipa::path(
    get,
    path = "/articles/feed",
    security(("bearer" = [])),
    params(ArticleQuery),
    responses(
        (status = 200, description = "One page of the feed", body = ArticlesEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 422, description = "Bad `limit` or `offset`", body = GenericErrorModel),
    )
)]
pub async fn feed(
    State(blog): State<BlogService>,
    me: Me,
    Params(query): Params<ArticleQuery>,
) -> Result<Json<ArticlesEnvelope>, ConduitError> {
    let window = query.window()?;
    let filter = ArticleFilter {
        followed_by: Some(me.user.id),
        ..ArticleFilter::default()
    };
    page(&blog, filter, None, window, &Viewer::user(me.user)).await
}

/// One article (drafts only for their author).
#[utoipa::path(
    get,
    path = "/articles/{slug}",
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The article", body = ArticleEnvelope),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn get_article(
    State(blog): State<BlogService>,
    me: MaybeMe,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let article = blog.article(&ArticleKey::Slug(slug), &me.viewer()).await?;
    Ok(Json(ArticleEnvelope {
        article: ArticleBody::from(article),
    }))
}

/// Write an article.
#[utoipa::path(
    post,
    path = "/articles",
    security(("bearer" = [])),
    request_body = NewArticleRequest,
    responses(
        (status = 201, description = "The new article", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "`blog.authors_only` is on and the caller is not an author", body = GenericErrorModel),
        (status = 422, description = "Invalid fields", body = GenericErrorModel),
    )
)]
pub async fn create_article(
    State(blog): State<BlogService>,
    me: Me,
    Body(request): Body<NewArticleRequest>,
) -> Result<(StatusCode, Json<ArticleEnvelope>), ConduitError> {
    let new = request.article;
    let title = domain::text("title", &new.title, MAX_TITLE, false);
    let description = domain::text("description", &new.description, MAX_DESCRIPTION, true);
    let body = domain::text("body", &new.body, MAX_BODY, true);
    let tags = domain::tags("tagList", &new.tag_list);
    let article = match (title, description, body, tags) {
        (Ok(title), Ok(description), Ok(body), Ok(tags)) => NewArticle {
            title,
            description,
            body,
            category: None,
            tags,
            publish: new.published.unwrap_or(true),
        },
        (title, description, body, tags) => {
            let errors: Vec<FieldError> = [title.err(), description.err(), body.err(), tags.err()]
                .into_iter()
                .flatten()
                .collect();
            return Err(ApiError::validation(errors).into());
        }
    };
    let created = blog.create_article(&Writer::User(me.user), article).await?;
    Ok((
        StatusCode::CREATED,
        Json(ArticleEnvelope {
            article: created.into(),
        }),
    ))
}

/// Change an article (its author only). A new title gives a new slug.
#[utoipa::path(
    put,
    path = "/articles/{slug}",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    request_body = UpdateArticleRequest,
    responses(
        (status = 200, description = "The updated article", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "Someone else's article", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
        (status = 422, description = "Invalid fields", body = GenericErrorModel),
    )
)]
pub async fn update_article(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
    Body(request): Body<UpdateArticleRequest>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let fields = request.article;
    let mut errors = Vec::new();
    let mut check = |result: Option<Result<String, FieldError>>| match result {
        Some(Ok(value)) => Some(value),
        Some(Err(error)) => {
            errors.push(error);
            None
        }
        None => None,
    };
    let title = check(
        fields
            .title
            .as_deref()
            .map(|t| domain::text("title", t, MAX_TITLE, false)),
    );
    let description = check(
        fields
            .description
            .as_deref()
            .map(|d| domain::text("description", d, MAX_DESCRIPTION, true)),
    );
    let body = check(
        fields
            .body
            .as_deref()
            .map(|b| domain::text("body", b, MAX_BODY, true)),
    );
    let tags = match fields
        .tag_list
        .as_deref()
        .map(|t| domain::tags("tagList", t))
    {
        Some(Ok(tags)) => Some(tags),
        Some(Err(error)) => {
            errors.push(error);
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors).into());
    }
    let changes = ArticleChanges {
        title,
        description,
        body,
        tags,
        category: None,
        publish: None,
    };
    let updated = blog
        .update_article(&ArticleKey::Slug(slug), &Writer::User(me.user), changes)
        .await?;
    Ok(Json(ArticleEnvelope {
        article: updated.into(),
    }))
}

/// Delete an article (its author, or an admin).
#[utoipa::path(
    delete,
    path = "/articles/{slug}",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "Someone else's article", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn delete_article(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
) -> Result<StatusCode, ConduitError> {
    blog.delete_article(&ArticleKey::Slug(slug), &Writer::User(me.user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_favorite(
    blog: &BlogService,
    user: &AuthUser,
    slug: String,
    favorite: bool,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let article = blog
        .set_favorite(&ArticleKey::Slug(slug), user, favorite)
        .await?;
    Ok(Json(ArticleEnvelope {
        article: article.into(),
    }))
}

/// Favorite an article (idempotent).
#[utoipa::path(
    post,
    path = "/articles/{slug}/favorite",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The article, favorited", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn favorite(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    set_favorite(&blog, &me.user, slug, true).await
}

/// Unfavorite an article (idempotent).
#[utoipa::path(
    delete,
    path = "/articles/{slug}/favorite",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The article, not favorited", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn unfavorite(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    set_favorite(&blog, &me.user, slug, false).await
}

/// Extension: publish a draft (its author).
#[utoipa::path(
    post,
    path = "/articles/{slug}/publish",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The article, published", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "Someone else's article", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn publish(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let article = blog
        .set_published(&ArticleKey::Slug(slug), &Writer::User(me.user), true)
        .await?;
    Ok(Json(ArticleEnvelope {
        article: article.into(),
    }))
}

/// Extension: return an article to draft (its author, or an admin).
#[utoipa::path(
    post,
    path = "/articles/{slug}/unpublish",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Article slug")),
    responses(
        (status = 200, description = "The article, now a draft", body = ArticleEnvelope),
        (status = 401, description = "Missing or invalid token", body = GenericErrorModel),
        (status = 403, description = "Someone else's article", body = GenericErrorModel),
        (status = 404, description = "No such article", body = GenericErrorModel),
    )
)]
pub async fn unpublish(
    State(blog): State<BlogService>,
    me: Me,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let article = blog
        .set_published(&ArticleKey::Slug(slug), &Writer::User(me.user), false)
        .await?;
    Ok(Json(ArticleEnvelope {
        article: article.into(),
    }))
}
