//! Articles: write, read, list, favorite, publish.

use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::auth::role;
use groundwork_platform::db::{begin_write, is_unique_violation};
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use uuid::Uuid;

use super::{BlogService, Writer};
use crate::domain::{slug_base, slug_suffix};
use crate::entities::articles as article_rows;
use crate::errors::{forbidden, not_found, sign_in_required};
use crate::model::{
    Article, ArticleChanges, ArticleFilter, ArticleKey, NewArticle, Viewer, Window,
};
use crate::repo;

/// Slug attempts before giving up (each retry adds a random suffix).
const SLUG_ATTEMPTS: usize = 5;

impl BlogService {
    /// Who a write is attributed to: the signed-in author (with the `author` role when
    /// `blog.authors_only` is on), or the default author for anonymous roadmap posts.
    async fn author_of(&self, writer: &Writer) -> Result<Uuid, ApiError> {
        match writer {
            Writer::User(user) => {
                if self.inner.settings.authors_only {
                    user.require_role(crate::AUTHOR_ROLE)?;
                }
                Ok(user.id)
            }
            Writer::Anonymous(_) if self.inner.settings.posts_require_auth => {
                Err(sign_in_required())
            }
            Writer::Anonymous(_) => self.default_author().await,
        }
    }

    /// The default author's id when `writer` is an anonymous client allowed to write,
    /// resolved before a transaction opens (creating that account takes its own write).
    async fn anonymous_owner(&self, writer: &Writer) -> Result<Option<Uuid>, ApiError> {
        match writer {
            Writer::Anonymous(_) if !self.inner.settings.posts_require_auth => {
                Ok(Some(self.default_author().await?))
            }
            _ => Ok(None),
        }
    }

    /// Whether `writer` may edit the article: its author; anonymous clients only the
    /// default author's posts (`anonymous_owner`), and only when anonymous writes are on.
    fn may_edit(
        writer: &Writer,
        anonymous_owner: Option<Uuid>,
        row: &article_rows::Model,
    ) -> Result<(), ApiError> {
        match writer {
            Writer::User(user) if user.id == row.author_id => Ok(()),
            Writer::User(_) => Err(forbidden(
                "article",
                "only the author may change this article",
            )),
            Writer::Anonymous(_) if anonymous_owner == Some(row.author_id) => Ok(()),
            Writer::Anonymous(_) => Err(sign_in_required()),
        }
    }

    /// Whether `writer` may delete or unpublish the article: what [`Self::may_edit`]
    /// allows, and admins.
    fn may_moderate(
        writer: &Writer,
        anonymous_owner: Option<Uuid>,
        row: &article_rows::Model,
    ) -> Result<(), ApiError> {
        match writer {
            Writer::User(user) if user.role == role::ADMIN => Ok(()),
            _ => Self::may_edit(writer, anonymous_owner, row),
        }
    }

    /// The article, if the viewer may see it (drafts: author and admins); 404 otherwise,
    /// so that drafts are not revealed to others.
    pub(super) async fn visible(
        &self,
        key: &ArticleKey,
        viewer: &Viewer,
    ) -> Result<article_rows::Model, ApiError> {
        match repo::articles::find(&self.inner.db, key).await? {
            Some(row) if viewer.can_see(row.author_id, row.published_at.is_some()) => Ok(row),
            _ => Err(not_found("article")),
        }
    }

    async fn view(&self, row: article_rows::Model, viewer: &Viewer) -> Result<Article, ApiError> {
        self.views(vec![row], viewer)
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("article view vanished"))
    }

    /// Writes a new article (published now unless `publish` is false).
    pub async fn create_article(
        &self,
        writer: &Writer,
        new: NewArticle,
    ) -> Result<Article, ApiError> {
        let author = self.author_of(writer).await?;
        self.count_write(writer).await?;
        if let Writer::User(user) = writer {
            let account = self.inner.auth.current_user(user.id).await?;
            self.profile_for(&account).await?;
        }
        let base = slug_base(&new.title);
        for attempt in 0..SLUG_ATTEMPTS {
            let slug = if attempt == 0 {
                base.clone()
            } else {
                format!("{base}{}", slug_suffix())
            };
            let txn = begin_write(&self.inner.db).await?;
            let row = repo::articles::NewRow {
                slug,
                title: new.title.clone(),
                description: new.description.clone(),
                body: new.body.clone(),
                category: new.category.clone(),
                author_id: author,
                publish: new.publish,
            };
            match repo::articles::insert(&txn, row).await {
                Ok(row) => {
                    repo::tags::set_for_article(&txn, &row, &new.tags).await?;
                    txn.commit().await?;
                    return self.view(row, &writer.viewer()).await;
                }
                // Only the slug is unique: take another one.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::conflict(
            "slug_unavailable",
            "no free slug for this title; try again",
        ))
    }

    /// One article, as the viewer may see it.
    pub async fn article(&self, key: &ArticleKey, viewer: &Viewer) -> Result<Article, ApiError> {
        let row = match repo::articles::find_with_author(&self.inner.db, key).await? {
            Some(row) if viewer.can_see(row.0.author_id, row.0.published_at.is_some()) => row,
            _ => return Err(not_found("article")),
        };
        self.views_with_profiles(vec![row], viewer)
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("article view vanished"))
    }

    /// One page of published articles (or, with `drafts_of`, that author's drafts) and
    /// the total number that match.
    pub async fn list_articles(
        &self,
        filter: &ArticleFilter,
        drafts_of: Option<Uuid>,
        window: Window,
        viewer: &Viewer,
    ) -> Result<(Vec<Article>, u64), ApiError> {
        let (rows, total) = repo::listing::page(&self.inner.db, filter, drafts_of, window).await?;
        Ok((self.views_with_profiles(rows, viewer).await?, total))
    }

    /// Changes an article. A new title gives a new slug (RealWorld: "the slug also gets
    /// updated when the title is changed").
    pub async fn update_article(
        &self,
        key: &ArticleKey,
        writer: &Writer,
        changes: ArticleChanges,
    ) -> Result<Article, ApiError> {
        let owner = self.anonymous_owner(writer).await?;
        self.count_write(writer).await?;
        for attempt in 0..SLUG_ATTEMPTS {
            let txn = begin_write(&self.inner.db).await?;
            let row = self.visible_in(&txn, key, &writer.viewer()).await?;
            Self::may_edit(writer, owner, &row)?;
            let mut active = row.clone().into_active_model();
            if let Some(title) = &changes.title
                && *title != row.title
            {
                let base = slug_base(title);
                let slug = if attempt == 0 {
                    base
                } else {
                    format!("{base}{}", slug_suffix())
                };
                if slug != row.slug {
                    active.slug = Set(slug);
                }
                active.title = Set(title.clone());
            }
            if let Some(description) = &changes.description {
                active.description = Set(description.clone());
            }
            if let Some(body) = &changes.body {
                active.body = Set(body.clone());
            }
            if let Some(category) = &changes.category {
                active.category = Set(category.clone());
            }
            match changes.publish {
                Some(true) if row.published_at.is_none() => {
                    active.published_at = Set(Some(Utc::now()))
                }
                Some(false) => active.published_at = Set(None),
                _ => {}
            }
            match repo::articles::update(&txn, active).await {
                Ok(updated) => {
                    if let Some(tags) = &changes.tags {
                        repo::tags::set_for_article(&txn, &updated, tags).await?;
                    }
                    txn.commit().await?;
                    return self.view(updated, &writer.viewer()).await;
                }
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::conflict(
            "slug_unavailable",
            "no free slug for this title; try again",
        ))
    }

    async fn visible_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        key: &ArticleKey,
        viewer: &Viewer,
    ) -> Result<article_rows::Model, ApiError> {
        match repo::articles::find(txn, key).await? {
            Some(row) if viewer.can_see(row.author_id, row.published_at.is_some()) => Ok(row),
            _ => Err(not_found("article")),
        }
    }

    /// Deletes an article: its author, or an admin.
    pub async fn delete_article(&self, key: &ArticleKey, writer: &Writer) -> Result<(), ApiError> {
        let owner = self.anonymous_owner(writer).await?;
        let txn = begin_write(&self.inner.db).await?;
        let row = self.visible_in(&txn, key, &writer.viewer()).await?;
        Self::may_moderate(writer, owner, &row)?;
        repo::articles::delete(&txn, row.id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Publishes (setting the publication date) or returns to draft. Publishing is the
    /// author's decision; unpublishing may also be done by an admin.
    pub async fn set_published(
        &self,
        key: &ArticleKey,
        writer: &Writer,
        publish: bool,
    ) -> Result<Article, ApiError> {
        let owner = self.anonymous_owner(writer).await?;
        let txn = begin_write(&self.inner.db).await?;
        let row = self.visible_in(&txn, key, &writer.viewer()).await?;
        if publish {
            Self::may_edit(writer, owner, &row)?;
        } else {
            Self::may_moderate(writer, owner, &row)?;
        }
        let mut active = row.clone().into_active_model();
        match (publish, row.published_at) {
            (true, None) => active.published_at = Set(Some(Utc::now())),
            (false, Some(_)) => active.published_at = Set(None),
            _ => {}
        }
        let updated = repo::articles::update(&txn, active).await?;
        txn.commit().await?;
        self.view(updated, &writer.viewer()).await
    }

    /// Favorites (or unfavorites) an article; both are idempotent.
    pub async fn set_favorite(
        &self,
        key: &ArticleKey,
        user: &groundwork_platform::auth::AuthUser,
        favorite: bool,
    ) -> Result<Article, ApiError> {
        let writer = Writer::User(user.clone());
        let viewer = writer.viewer();
        self.count_write(&writer).await?;
        let txn = begin_write(&self.inner.db).await?;
        let row = self.visible_in(&txn, key, &viewer).await?;
        if favorite {
            repo::social::favorite(&txn, user.id, row.id).await?;
        } else {
            repo::social::unfavorite(&txn, user.id, row.id).await?;
        }
        txn.commit().await?;
        let fresh = repo::articles::find(&self.inner.db, &ArticleKey::Id(row.id))
            .await?
            .ok_or_else(|| not_found("article"))?;
        self.view(fresh, &viewer).await
    }
}
