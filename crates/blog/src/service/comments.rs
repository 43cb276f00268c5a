//! Comments and tags.

use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::auth::role;
use groundwork_platform::db::begin_write;

use super::{BlogService, Writer, placeholder, profile_of};
use crate::entities::comments as comment_rows;
use crate::entities::profiles as profile_rows;
use crate::errors::{forbidden, not_found};
use crate::model::{ArticleKey, Author, Comment, Viewer};
use crate::repo;

/// Most tags `GET /tags` returns.
const TAG_LIST_LIMIT: u64 = 100;

impl BlogService {
    /// Adds a comment to an article the commenter can see.
    pub async fn add_comment(
        &self,
        key: &ArticleKey,
        user: &AuthUser,
        body: String,
    ) -> Result<Comment, ApiError> {
        let writer = Writer::User(user.clone());
        let viewer = Viewer::user(user.clone());
        let article = self.visible(key, &viewer).await?;
        self.count_write(&writer).await?;
        let account = self.inner.auth.current_user(user.id).await?;
        let profile = self.profile_for(&account).await?;
        let row = repo::comments::insert(&self.inner.db, article.id, user.id, body).await?;
        let author = Author {
            profile,
            following: false, // nobody follows themselves
        };
        Ok(comment_view(row, author))
    }

    /// An article's comments, oldest first: two queries whatever their number, three for a
    /// signed-in viewer.
    pub async fn comments(
        &self,
        key: &ArticleKey,
        viewer: &Viewer,
    ) -> Result<Vec<Comment>, ApiError> {
        let article = self.visible(key, viewer).await?;
        let rows = repo::comments::for_article(&self.inner.db, article.id).await?;
        self.comment_views(rows, viewer).await
    }

    /// Deletes a comment: its author, the article's author (moderating their own
    /// page), or an admin.
    pub async fn delete_comment(
        &self,
        key: &ArticleKey,
        id: i64,
        user: &AuthUser,
    ) -> Result<(), ApiError> {
        let viewer = Viewer::user(user.clone());
        let txn = begin_write(&self.inner.db).await?;
        let article = match repo::articles::find(&txn, key).await? {
            Some(row) if viewer.can_see(row.author_id, row.published_at.is_some()) => row,
            _ => return Err(not_found("article")),
        };
        let comment = repo::comments::find(&txn, article.id, id)
            .await?
            .ok_or_else(|| not_found("comment"))?;
        let allowed = comment.author_id == user.id
            || article.author_id == user.id
            || user.role == role::ADMIN;
        if !allowed {
            return Err(forbidden(
                "comment",
                "only the comment's author may delete it",
            ));
        }
        repo::comments::delete(&txn, comment.id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The most used tags of published articles.
    pub async fn tags(&self) -> Result<Vec<String>, ApiError> {
        Ok(repo::tags::popular(&self.inner.db, TAG_LIST_LIMIT).await?)
    }

    async fn comment_views(
        &self,
        rows: Vec<(comment_rows::Model, Option<profile_rows::Model>)>,
        viewer: &Viewer,
    ) -> Result<Vec<Comment>, ApiError> {
        let followed = match viewer.id() {
            Some(user) => {
                let mut author_ids: Vec<_> = rows.iter().map(|(r, _)| r.author_id).collect();
                author_ids.sort_unstable();
                author_ids.dedup();
                repo::social::followed_among(&self.inner.db, user, &author_ids).await?
            }
            None => Default::default(),
        };
        Ok(rows
            .into_iter()
            .map(|(row, profile)| {
                let author = match profile {
                    Some(profile) => Author {
                        following: followed.contains(&profile.user_id),
                        profile: profile_of(profile),
                    },
                    None => placeholder(row.author_id),
                };
                comment_view(row, author)
            })
            .collect())
    }
}

fn comment_view(row: comment_rows::Model, author: Author) -> Comment {
    Comment {
        author,
        id: row.id,
        body: row.body,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
