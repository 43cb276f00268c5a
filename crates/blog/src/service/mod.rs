//! The blog's operations, shared by both faces. Authorization lives here (not in the
//! handlers): who may see a draft, edit an article, delete a comment.

mod accounts;
mod articles;
mod comments;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use groundwork_platform::ApiError;
use groundwork_platform::auth::{AuthService, AuthUser};
use groundwork_platform::ratelimit::{Decision, Quota, RateLimiter};
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::entities::articles as article_rows;
use crate::model::{Article, Author, Profile, Viewer};
use crate::repo;
use crate::settings::BlogSettings;

pub use accounts::UserChanges;

/// Who is writing: a signed-in account, or (roadmap face only, when allowed) an
/// anonymous client identified by its address for rate limiting.
#[derive(Clone, Debug)]
pub enum Writer {
    /// A signed-in account.
    User(AuthUser),
    /// An anonymous client.
    Anonymous(IpAddr),
}

impl Writer {
    fn viewer(&self) -> Viewer {
        match self {
            Self::User(user) => Viewer::user(user.clone()),
            Self::Anonymous(_) => Viewer::anonymous(),
        }
    }
}

/// The blog service.
#[derive(Clone)]
pub struct BlogService {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    auth: AuthService,
    limiter: Arc<dyn RateLimiter>,
    settings: BlogSettings,
    default_author: OnceCell<Uuid>,
}

impl BlogService {
    /// A service over the platform's database, accounts and limiter.
    pub fn new(
        db: DatabaseConnection,
        auth: AuthService,
        limiter: Arc<dyn RateLimiter>,
        settings: BlogSettings,
    ) -> Self {
        let inner = Inner {
            db,
            auth,
            limiter,
            settings,
            default_author: OnceCell::new(),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &BlogSettings {
        &self.inner.settings
    }

    /// The platform's account service.
    pub fn auth(&self) -> &AuthService {
        &self.inner.auth
    }

    /// Counts a write against the per-minute write limit (429 beyond it). A limiter
    /// outage lets the write through, as everywhere on the platform.
    async fn count_write(&self, writer: &Writer) -> Result<(), ApiError> {
        let key = match writer {
            Writer::User(user) => format!("blog-write:user:{}", user.id),
            Writer::Anonymous(ip) => format!(
                "blog-write:ip:{}",
                groundwork_platform::http::client_ip::limit_prefix(*ip)
            ),
        };
        let per_minute = self.inner.settings.writes_per_minute.max(1);
        let quota = Quota::per_window(per_minute, Duration::from_secs(60));
        match self.inner.limiter.check(&key, quota, true).await {
            Ok(Decision::Allowed { .. }) => Ok(()),
            Ok(limited) => Err(ApiError::too_many_requests(limited.retry_after_secs())),
            Err(error) => {
                tracing::warn!(%error, "blog write limiter unavailable; write allowed");
                Ok(())
            }
        }
    }

    /// Builds what viewers see from article rows: tags, authors, and the viewer's
    /// favorites and follows, in four queries whatever the number of rows.
    async fn views(
        &self,
        rows: Vec<article_rows::Model>,
        viewer: &Viewer,
    ) -> Result<Vec<Article>, ApiError> {
        let db = &self.inner.db;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut author_ids: Vec<Uuid> = rows.iter().map(|r| r.author_id).collect();
        author_ids.sort_unstable();
        author_ids.dedup();
        let mut tags = repo::tags::for_articles(db, &ids).await?;
        let authors = self.authors(&author_ids, viewer).await?;
        let favorited = match viewer.id() {
            Some(user) => repo::social::favorited_among(db, user, &ids).await?,
            None => Default::default(),
        };
        Ok(rows
            .into_iter()
            .map(|row| Article {
                tags: tags.remove(&row.id).unwrap_or_default(),
                author: authors
                    .get(&row.author_id)
                    .cloned()
                    .unwrap_or_else(|| placeholder(row.author_id)),
                favorited: favorited.contains(&row.id),
                id: row.id,
                slug: row.slug,
                title: row.title,
                description: row.description,
                body: row.body,
                category: row.category,
                published_at: row.published_at,
                favorites_count: row.favorites_count,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
            .collect())
    }

    /// The profiles of these accounts and whether the viewer follows each, in two queries.
    async fn authors(
        &self,
        ids: &[Uuid],
        viewer: &Viewer,
    ) -> Result<HashMap<Uuid, Author>, ApiError> {
        let db = &self.inner.db;
        let profiles = repo::profiles::find_many(db, ids).await?;
        let followed = match viewer.id() {
            Some(user) => repo::social::followed_among(db, user, ids).await?,
            None => Default::default(),
        };
        Ok(profiles
            .into_iter()
            .map(|row| {
                let following = followed.contains(&row.user_id);
                (
                    row.user_id,
                    Author {
                        profile: profile_of(row),
                        following,
                    },
                )
            })
            .collect())
    }
}

pub(crate) fn profile_of(row: crate::entities::profiles::Model) -> Profile {
    Profile {
        user_id: row.user_id,
        username: row.username,
        bio: row.bio,
        image: row.image,
    }
}

/// Every author gets a profile when they first write, so this only shows for accounts
/// whose profile was deleted by hand; it keeps responses well-formed regardless.
fn placeholder(user_id: Uuid) -> Author {
    let username = format!("user-{}", &user_id.simple().to_string()[..8]);
    Author {
        profile: Profile {
            user_id,
            username,
            bio: None,
            image: None,
        },
        following: false,
    }
}
