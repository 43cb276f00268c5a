//! Blog profiles on top of platform accounts: registration with a username, profile
//! updates, follows, and the roadmap face's default author.

use groundwork_platform::ApiError;
use groundwork_platform::auth::email::Email;
use groundwork_platform::auth::password::NewPassword;
use groundwork_platform::auth::role;
use groundwork_platform::auth::service::User;
use groundwork_platform::db::{begin_write, is_unique_violation};
use uuid::Uuid;

use super::{BlogService, profile_of};
use crate::domain::Username;
use crate::errors::{not_found, taken};
use crate::model::{Author, Profile, Viewer};
use crate::repo;

/// Changes to an account through the RealWorld face; `None` leaves a field alone.
#[derive(Default)]
pub struct UserChanges {
    /// New email (platform account).
    pub email: Option<Email>,
    /// New password (platform account).
    pub password: Option<NewPassword>,
    /// New username.
    pub username: Option<Username>,
    /// New bio (`Some(None)` clears it).
    pub bio: Option<Option<String>>,
    /// New image (`Some(None)` clears it).
    pub image: Option<Option<String>>,
}

impl BlogService {
    /// Creates a platform account and its blog profile in one transaction. 422 with
    /// `email` or `username` when taken.
    pub async fn register(
        &self,
        username: Username,
        email: Email,
        password: NewPassword,
    ) -> Result<(User, Profile), ApiError> {
        let hash = self.inner.auth.hash_password(&password).await?;
        let txn = begin_write(&self.inner.db).await?;
        if repo::profiles::find_by_username(&txn, username.as_str())
            .await?
            .is_some()
        {
            return Err(taken("username"));
        }
        let user = self
            .inner
            .auth
            .insert_user(
                &txn,
                &email,
                Some(username.as_str().to_owned()),
                hash,
                role::USER,
            )
            .await
            .map_err(|e| {
                if e.code() == "email_taken" {
                    taken("email")
                } else {
                    e
                }
            })?;
        let profile =
            match repo::profiles::insert(&txn, user.id, username.as_str(), None, None).await {
                Ok(row) => profile_of(row),
                Err(e) if is_unique_violation(&e) => return Err(taken("username")),
                Err(e) => return Err(e.into()),
            };
        txn.commit().await?;
        Ok((user, profile))
    }

    /// The profile of an account, created on first use for accounts made elsewhere on
    /// the platform (`/auth/register`): the username comes from the display name or the
    /// email, with a short suffix if it is taken.
    pub async fn profile_for(&self, user: &User) -> Result<Profile, ApiError> {
        if let Some(row) = repo::profiles::find(&self.inner.db, user.id).await? {
            return Ok(profile_of(row));
        }
        let base = username_base(user);
        for attempt in 0..8 {
            let candidate = if attempt == 0 {
                base.clone()
            } else {
                format!("{base}{}", crate::domain::slug_suffix())
            };
            match repo::profiles::insert(&self.inner.db, user.id, &candidate, None, None).await {
                Ok(row) => return Ok(profile_of(row)),
                Err(e) if is_unique_violation(&e) => {
                    // Either the name is taken or a concurrent request created this
                    // account's profile first; the latter wins.
                    if let Some(row) = repo::profiles::find(&self.inner.db, user.id).await? {
                        return Ok(profile_of(row));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::internal("could not find a free username"))
    }

    /// Applies a RealWorld `PUT /user`: account fields through the platform, profile
    /// fields here.
    pub async fn update_user(
        &self,
        user: &User,
        changes: UserChanges,
    ) -> Result<(User, Profile), ApiError> {
        let profile = self.profile_for(user).await?;
        let user = if changes.email.is_some() || changes.password.is_some() {
            self.inner
                .auth
                .update_credentials(user.id, changes.email, changes.password)
                .await
                .map_err(|e| {
                    if e.code() == "email_taken" {
                        taken("email")
                    } else {
                        e
                    }
                })?
        } else {
            user.clone()
        };
        if changes.username.is_none() && changes.bio.is_none() && changes.image.is_none() {
            return Ok((user, profile));
        }
        let row = repo::profiles::find(&self.inner.db, user.id)
            .await?
            .ok_or_else(|| not_found("profile"))?;
        let profile_changes = repo::profiles::Changes {
            username: changes.username.map(|u| u.as_str().to_owned()),
            bio: changes.bio,
            image: changes.image,
        };
        match repo::profiles::update(&self.inner.db, row, profile_changes).await {
            Ok(row) => Ok((user, profile_of(row))),
            Err(e) if is_unique_violation(&e) => Err(taken("username")),
            Err(e) => Err(e.into()),
        }
    }

    /// A profile by username, with whether the viewer follows it.
    pub async fn profile(&self, username: &str, viewer: &Viewer) -> Result<Author, ApiError> {
        let row = repo::profiles::find_by_username(&self.inner.db, username)
            .await?
            .ok_or_else(|| not_found("profile"))?;
        let following = match viewer.id() {
            Some(me) => repo::social::followed_among(&self.inner.db, me, &[row.user_id])
                .await?
                .contains(&row.user_id),
            None => false,
        };
        Ok(Author {
            profile: profile_of(row),
            following,
        })
    }

    /// Follows (or, with `follow = false`, unfollows) a profile; idempotent. Following
    /// yourself is a 422.
    pub async fn set_following(
        &self,
        follower: &User,
        username: &str,
        follow: bool,
    ) -> Result<Author, ApiError> {
        let row = repo::profiles::find_by_username(&self.inner.db, username)
            .await?
            .ok_or_else(|| not_found("profile"))?;
        if row.user_id == follower.id {
            return Err(ApiError::invalid_field(
                "username",
                "self",
                "you cannot follow yourself",
            ));
        }
        self.profile_for(follower).await?;
        if follow {
            repo::social::follow(&self.inner.db, follower.id, row.user_id).await?;
        } else {
            repo::social::unfollow(&self.inner.db, follower.id, row.user_id).await?;
        }
        Ok(Author {
            profile: profile_of(row),
            following: follow,
        })
    }

    /// The account that owns anonymous roadmap posts, created on first use with a
    /// random password nobody knows.
    pub(super) async fn default_author(&self) -> Result<Uuid, ApiError> {
        self.inner
            .default_author
            .get_or_try_init(|| async {
                let username =
                    Username::parse(&self.inner.settings.default_author).map_err(|e| {
                        ApiError::internal(format!("blog.default_author: {}", e.message))
                    })?;
                if let Some(row) =
                    repo::profiles::find_by_username(&self.inner.db, username.as_str()).await?
                {
                    return Ok(row.user_id);
                }
                let email = Email::parse(&format!("{}@default-author.invalid", username.key()))
                    .map_err(|e| ApiError::internal(e.message))?;
                let mut secret = [0u8; 24];
                getrandom::fill(&mut secret).map_err(|e| ApiError::internal(e.to_string()))?;
                let password = NewPassword::parse(
                    "password",
                    &secret
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>(),
                )
                .map_err(|e| ApiError::internal(e.message))?;
                match self.register(username.clone(), email, password).await {
                    Ok((user, _)) => Ok(user.id),
                    // Created concurrently by another request or instance.
                    Err(_) => repo::profiles::find_by_username(&self.inner.db, username.as_str())
                        .await?
                        .map(|row| row.user_id)
                        .ok_or_else(|| ApiError::internal("could not create the default author")),
                }
            })
            .await
            .copied()
    }
}

/// A username from the display name or the email's local part: allowed characters only,
/// at most 40 (leaving room for a suffix).
fn username_base(user: &User) -> String {
    let source = user
        .name
        .clone()
        .unwrap_or_else(|| user.email.split('@').next().unwrap_or("user").to_owned());
    let cleaned: String = source
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if cleaned.trim_matches('_').is_empty() {
        "user".to_owned()
    } else {
        cleaned
    }
}
