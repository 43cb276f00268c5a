//! RealWorld's JSON shapes, field for field (`api/openapi.yml` of the RealWorld spec).

use chrono::{DateTime, Utc};
use groundwork_platform::http::extract::nullable;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Article, Author, Comment, Profile};

/// `{"user": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserEnvelope {
    /// The signed-in user.
    pub user: UserBody,
}

/// The signed-in user, with the token to send as `Authorization: Token <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    /// Email.
    pub email: String,
    /// JWT.
    pub token: String,
    /// Username.
    pub username: String,
    /// Bio, or null.
    pub bio: Option<String>,
    /// Image URL, or null.
    pub image: Option<String>,
}

impl UserBody {
    /// From the platform account, the profile and a token.
    pub fn new(email: String, profile: Profile, token: String) -> Self {
        Self {
            email,
            token,
            username: profile.username,
            bio: profile.bio,
            image: profile.image,
        }
    }
}

/// `{"profile": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileEnvelope {
    /// The profile.
    pub profile: ProfileBody,
}

/// A profile as one viewer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileBody {
    /// Username.
    pub username: String,
    /// Bio, or null.
    pub bio: Option<String>,
    /// Image URL, or null.
    pub image: Option<String>,
    /// Whether the viewer follows this profile.
    pub following: bool,
}

impl From<Author> for ProfileBody {
    fn from(author: Author) -> Self {
        Self {
            username: author.profile.username,
            bio: author.profile.bio,
            image: author.profile.image,
            following: author.following,
        }
    }
}

/// `{"article": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleEnvelope {
    /// The article.
    pub article: ArticleBody,
}

/// An article with its body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleBody {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Text.
    pub body: String,
    /// Tags, sorted.
    pub tag_list: Vec<String>,
    /// Creation time.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Whether the viewer favorited it.
    pub favorited: bool,
    /// Favorites.
    pub favorites_count: i64,
    /// The author.
    pub author: ProfileBody,
}

impl From<Article> for ArticleBody {
    fn from(article: Article) -> Self {
        Self {
            slug: article.slug,
            title: article.title,
            description: article.description,
            body: article.body,
            tag_list: article.tags,
            created_at: article.created_at,
            updated_at: article.updated_at,
            favorited: article.favorited,
            favorites_count: article.favorites_count,
            author: article.author.into(),
        }
    }
}

/// `{"articles": [...], "articlesCount": N}`: N counts every match, not this page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticlesEnvelope {
    /// One page, without bodies.
    pub articles: Vec<ArticleListItem>,
    /// All matching articles.
    pub articles_count: u64,
}

/// An article in a list: everything but the body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleListItem {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Tags, sorted.
    pub tag_list: Vec<String>,
    /// Creation time.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Whether the viewer favorited it.
    pub favorited: bool,
    /// Favorites.
    pub favorites_count: i64,
    /// The author.
    pub author: ProfileBody,
}

impl From<Article> for ArticleListItem {
    fn from(article: Article) -> Self {
        Self {
            slug: article.slug,
            title: article.title,
            description: article.description,
            tag_list: article.tags,
            created_at: article.created_at,
            updated_at: article.updated_at,
            favorited: article.favorited,
            favorites_count: article.favorites_count,
            author: article.author.into(),
        }
    }
}

/// `{"comment": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentEnvelope {
    /// The comment.
    pub comment: CommentBody,
}

/// `{"comments": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentsEnvelope {
    /// Oldest first.
    pub comments: Vec<CommentBody>,
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentBody {
    /// Numeric id.
    pub id: i64,
    /// Creation time.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(serialize_with = "crate::timefmt::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Text.
    pub body: String,
    /// The commenter.
    pub author: ProfileBody,
}

impl From<Comment> for CommentBody {
    fn from(comment: Comment) -> Self {
        Self {
            id: comment.id,
            created_at: comment.created_at,
            updated_at: comment.updated_at,
            body: comment.body,
            author: comment.author.into(),
        }
    }
}

/// `{"tags": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagsEnvelope {
    /// Most used first.
    pub tags: Vec<String>,
}

/// `{"user": {"username", "email", "password"}}`.
#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// The new user.
    pub user: NewUser,
}

/// Registration fields.
#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `{"user": {"email", "password"}}`.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Credentials.
    pub user: LoginUser,
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginUser {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `{"user": {...}}` with at least one field.
#[derive(Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    /// Fields to change.
    pub user: UpdateUser,
}

/// Fields to change; `bio` and `image` may be null to clear them.
#[derive(Deserialize, ToSchema)]
pub struct UpdateUser {
    /// New email.
    pub email: Option<String>,
    /// New password.
    pub password: Option<String>,
    /// New username.
    pub username: Option<String>,
    /// New bio, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    /// New image URL, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub image: Option<Option<String>>,
}

/// `{"article": {...}}` to create.
#[derive(Deserialize, ToSchema)]
pub struct NewArticleRequest {
    /// The article.
    pub article: NewArticleBody,
}

/// A new article.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewArticleBody {
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Text.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tag_list: Vec<String>,
    /// Extension: `false` saves a draft (default `true`, as in RealWorld).
    #[serde(default)]
    pub published: Option<bool>,
}

/// `{"article": {...}}` to update.
#[derive(Deserialize, ToSchema)]
pub struct UpdateArticleRequest {
    /// Fields to change.
    pub article: UpdateArticleBody,
}

/// Fields to change.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateArticleBody {
    /// New title (the slug follows).
    pub title: Option<String>,
    /// New summary.
    pub description: Option<String>,
    /// New text.
    pub body: Option<String>,
    /// New tags.
    pub tag_list: Option<Vec<String>>,
}

/// `{"comment": {"body"}}`.
#[derive(Deserialize, ToSchema)]
pub struct NewCommentRequest {
    /// The comment.
    pub comment: NewCommentBody,
}

/// A new comment.
#[derive(Deserialize, ToSchema)]
pub struct NewCommentBody {
    /// Text.
    pub body: String,
}
