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
use groundwork_platform::ratelimit::{Quota, RateLimiter};
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::entities::articles as article_rows;
use crate::entities::profiles as profile_rows;
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
        groundwork_platform::ratelimit::enforce(self.inner.limiter.as_ref(), &key, quota).await
    }

    /// Builds what viewers see from article rows: tags, authors, and the viewer's
    /// favorites and follows, in four queries whatever the number of rows.
    async fn views(
        &self,
        rows: Vec<article_rows::Model>,
        viewer: &Viewer,
    ) -> Result<Vec<Article>, ApiError> {
        let author_ids = distinct_authors(rows.iter());
        let mut profiles: HashMap<Uuid, profile_rows::Model> =
            repo::profiles::find_many(&self.inner.db, &author_ids)
                .await?
                .into_iter()
                .map(|p| (p.user_id, p))
                .collect();
        let rows = rows
            .into_iter()
            .map(|row| {
                let profile = profiles.remove(&row.author_id);
                (row, profile)
            })
            .collect();
        self.views_with_profiles(rows, viewer).await
    }

    /// [`Self::views`] for rows read together with their authors' profiles (lists and
    /// single reads join them): three queries, one for an anonymous viewer.
    async fn views_with_profiles(
        &self,
        rows: Vec<(article_rows::Model, Option<profile_rows::Model>)>,
        viewer: &Viewer,
    ) -> Result<Vec<Article>, ApiError> {
        let db = &self.inner.db;
        let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
        let mut tags = repo::tags::for_articles(db, &ids).await?;
        let (favorited, followed) = match viewer.id() {
            Some(user) => {
                let author_ids = distinct_authors(rows.iter().map(|(r, _)| r));
                (
                    repo::social::favorited_among(db, user, &ids).await?,
                    repo::social::followed_among(db, user, &author_ids).await?,
                )
            }
            None => Default::default(),
        };
        Ok(rows
            .into_iter()
            .map(|(row, profile)| Article {
                tags: tags.remove(&row.id).unwrap_or_default(),
                author: match profile {
                    Some(profile) => Author {
                        following: followed.contains(&profile.user_id),
                        profile: profile_of(profile),
                    },
                    None => placeholder(row.author_id),
                },
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
}

/// The authors of these rows, each once.
fn distinct_authors<'a>(rows: impl Iterator<Item = &'a article_rows::Model>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = rows.map(|r| r.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
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
