//! The blog's domain as both faces see it: profiles, articles with their tags and author,
//! comments. Assembled by the service from a constant number of queries per request.

use chrono::{DateTime, Utc};
use groundwork_platform::auth::AuthUser;
use groundwork_platform::auth::role;
use uuid::Uuid;

/// A user's public face on the blog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The platform account.
    pub user_id: Uuid,
    /// Unique (without regard to case) username.
    pub username: String,
    /// Free text.
    pub bio: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}

/// A profile as seen by one viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// The profile.
    pub profile: Profile,
    /// Whether the viewer follows this profile (always false for anonymous viewers).
    pub following: bool,
}

/// An article as seen by one viewer.
#[derive(Clone, Debug)]
pub struct Article {
    /// Numeric id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Text.
    pub body: String,
    /// Category, if any.
    pub category: Option<String>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// The author.
    pub author: Author,
    /// Publication time; `None` for drafts.
    pub published_at: Option<DateTime<Utc>>,
    /// How many users favorited it.
    pub favorites_count: i64,
    /// Whether the viewer favorited it.
    pub favorited: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A comment as seen by one viewer.
#[derive(Clone, Debug)]
pub struct Comment {
    /// Numeric id.
    pub id: i64,
    /// Text.
    pub body: String,
    /// The commenter.
    pub author: Author,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Who is asking: anonymous, or a signed-in account with its role.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    /// The caller, if signed in.
    pub user: Option<AuthUser>,
}

impl Viewer {
    /// An anonymous caller.
    pub fn anonymous() -> Self {
        Self { user: None }
    }

    /// A signed-in caller.
    pub fn user(user: AuthUser) -> Self {
        Self { user: Some(user) }
    }

    /// The caller's account id.
    pub fn id(&self) -> Option<Uuid> {
        self.user.as_ref().map(|u| u.id)
    }

    /// Whether the caller is a platform admin (may delete or unpublish anything).
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == role::ADMIN)
    }

    /// Whether the caller may see an article with this author and publication state:
    /// everyone sees published articles; drafts only their author and admins.
    pub fn can_see(&self, author_id: Uuid, published: bool) -> bool {
        published || self.id() == Some(author_id) || self.is_admin()
    }
}

/// Which articles a list shows. All filters combine with AND.
#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    /// Exact tag.
    pub tag: Option<String>,
    /// Author's username (any case).
    pub author: Option<String>,
    /// Username (any case) of someone who favorited the article.
    pub favorited_by: Option<String>,
    /// Category, any case.
    pub category: Option<String>,
    /// Case-insensitive substring of title, body or category (the roadmap's `term`).
    pub term: Option<String>,
    /// Full-text query over title, description and body.
    pub query: Option<String>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published at or before.
    pub to: Option<DateTime<Utc>>,
    /// Only articles by authors this account follows (the feed).
    pub followed_by: Option<Uuid>,
}

impl ArticleFilter {
    /// Whether any filter other than the tag is set.
    pub fn narrows_beyond_tag(&self) -> bool {
        let ArticleFilter {
            tag: _,
            author,
            favorited_by,
            category,
            term,
            query,
            from,
            to,
            followed_by,
        } = self;
        author.is_some()
            || favorited_by.is_some()
            || category.is_some()
            || term.is_some()
            || query.is_some()
            || from.is_some()
            || to.is_some()
            || followed_by.is_some()
    }
}

/// A slice of a list: skip `offset`, return at most `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Items to skip.
    pub offset: u64,
    /// Items to return.
    pub limit: u64,
}

/// A new article, checked.
#[derive(Clone, Debug)]
pub struct NewArticle {
    /// Title.
    pub title: String,
    /// Summary (may be empty for roadmap posts).
    pub description: String,
    /// Text.
    pub body: String,
    /// Category.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Publish now (`true`) or keep as a draft.
    pub publish: bool,
}

/// Changes to an article; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct ArticleChanges {
    /// New title (the slug follows it).
    pub title: Option<String>,
    /// New summary.
    pub description: Option<String>,
    /// New text.
    pub body: Option<String>,
    /// New category (`Some(None)` clears it).
    pub category: Option<Option<String>>,
    /// New tags (replacing the old ones).
    pub tags: Option<Vec<String>>,
    /// Publish (`true`) or return to draft (`false`).
    pub publish: Option<bool>,
}

/// How an article is named in a request.
#[derive(Clone, Debug)]
pub enum ArticleKey {
    /// By numeric id (roadmap face).
    Id(i64),
    /// By slug (RealWorld face).
    Slug(String),
}
