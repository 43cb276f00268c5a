//! Request shapes of `/todos` and their checks. Every bad field is reported at once.

use groundwork_platform::http::extract::nullable;
use groundwork_platform::pagination::{Page, PageQuery};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::service::{ItemChanges, ItemFilter, NewItem, SortKey};
use crate::domain::{self, MAX_QUERY, Priority, Status};

/// An item to create (`POST`) or replace (`PUT`): the spec's `title` and `description`,
/// plus optional `status`, `priority` and `dueDate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TodoRequest {
    /// 1 to 200 characters.
    title: String,
    /// Up to 10 000 characters (empty when left out).
    #[serde(default)]
    description: String,
    /// `todo` (default for new items), `in-progress` or `done`.
    #[serde(default)]
    status: Option<String>,
    /// `low`, `medium` (default for new items) or `high`.
    #[serde(default)]
    priority: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    due_date: Option<String>,
}

fn status(raw: Option<&str>) -> Result<Option<Status>, FieldError> {
    raw.map(|s| Status::parse("status", s)).transpose()
}

fn priority(raw: Option<&str>) -> Result<Option<Priority>, FieldError> {
    raw.map(|p| Priority::parse("priority", p)).transpose()
}

fn due_date(raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, FieldError> {
    raw.map(|d| domain::date("dueDate", d)).transpose()
}

impl TodoRequest {
    fn checked(self) -> Result<NewItem, ApiError> {
        let mut checks = FieldErrors::new();
        let title = checks.take(domain::title(&self.title));
        let description = checks.take(domain::description(&self.description));
        let status = checks.take(status(self.status.as_deref()));
        let priority = checks.take(priority(self.priority.as_deref()));
        let due_date = checks.take(due_date(self.due_date.as_deref()));
        checks.finish(|| {
            Some(NewItem {
                title: title?,
                description: description?,
                status: status?.unwrap_or(Status::Todo),
                priority: priority?.unwrap_or(Priority::Medium),
                due_date: due_date?,
            })
        })
    }

    /// The item to create.
    pub fn into_new(self) -> Result<NewItem, ApiError> {
        self.checked()
    }

    /// A replacement: title and description always; status, priority and due date only
    /// when given (a client that knows only the spec's fields must not reset them).
    pub fn into_replacement(self) -> Result<ItemChanges, ApiError> {
        let (status, priority, due_date) = (
            self.status.is_some(),
            self.priority.is_some(),
            self.due_date.is_some(),
        );
        let item = self.checked()?;
        Ok(ItemChanges {
            title: Some(item.title),
            description: Some(item.description),
            status: status.then_some(item.status),
            priority: priority.then_some(item.priority),
            due_date: due_date.then_some(item.due_date),
        })
    }
}

/// A partial update: only the fields given change; `"dueDate": null` removes the date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTodoRequest {
    /// New title.
    #[serde(default)]
    title: Option<String>,
    /// New description.
    #[serde(default)]
    description: Option<String>,
    /// New status.
    #[serde(default)]
    status: Option<String>,
    /// New priority.
    #[serde(default)]
    priority: Option<String>,
    /// New due date, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    due_date: Option<Option<String>>,
}

impl PatchTodoRequest {
    /// The checked changes; an empty body is a 400 (nothing to change).
    pub fn into_changes(self) -> Result<ItemChanges, ApiError> {
        let nothing = self.title.is_none()
            && self.description.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.due_date.is_none();
        if nothing {
            return Err(ApiError::bad_request(
                "empty_patch",
                "the body names no field to change (title, description, status, priority, dueDate)",
            ));
        }
        let mut checks = FieldErrors::new();
        let title = checks.take(self.title.as_deref().map(domain::title).transpose());
        let description = checks.take(
            self.description
                .as_deref()
                .map(domain::description)
                .transpose(),
        );
        let status = checks.take(status(self.status.as_deref()));
        let priority = checks.take(priority(self.priority.as_deref()));
        let due_date = checks.take(
            self.due_date
                .map(|date| due_date(date.as_deref()))
                .transpose(),
        );
        checks.finish(|| {
            Some(ItemChanges {
                title: title?,
                description: description?,
                status: status?,
                priority: priority?,
                due_date: due_date?,
            })
        })
    }
}

/// `GET /todos` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    limit: Option<u64>,
    /// Only these statuses, comma-separated (`todo,in-progress`).
    status: Option<String>,
    /// Text the title or description contains (case-insensitive, up to 200 characters).
    q: Option<String>,
    /// Due on or before this date (`YYYY-MM-DD`); undated items never match.
    #[serde(alias = "due_before")]
    due_before: Option<String>,
    /// Due on or after this date.
    #[serde(alias = "due_after")]
    due_after: Option<String>,
    /// `created_at` (default), `due` or `priority`.
    sort: Option<String>,
    /// `asc` or `desc`; default `asc`, except `desc` for `priority` (most urgent first).
    order: Option<String>,
}

impl ListQuery {
    /// The checked filter and page.
    pub fn parse(self) -> Result<(ItemFilter, Page), ApiError> {
        let mut checks = FieldErrors::new();
        let page = PageQuery {
            page: self.page,
            limit: self.limit,
        }
        .page();
        let page = match page {
            Ok(page) => Some(page),
            Err(error) => {
                checks.absorb(&error);
                None
            }
        };
        let statuses = checks.take(
            self.status
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Status::parse("status", s))
                .collect::<Result<Vec<_>, _>>(),
        );
        let text = self
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        if text.as_ref().is_some_and(|q| q.chars().count() > MAX_QUERY) {
            checks.push(FieldError::new("q", "too_long", "at most 200 characters"));
        }
        let due_before = checks.take(
            self.due_before
                .as_deref()
                .map(|d| domain::date("dueBefore", d))
                .transpose(),
        );
        let due_after = checks.take(
            self.due_after
                .as_deref()
                .map(|d| domain::date("dueAfter", d))
                .transpose(),
        );
        if let (Some(Some(before)), Some(Some(after))) = (due_before, due_after)
            && after > before
        {
            checks.push(FieldError::new(
                "dueAfter",
                "invalid_range",
                "dueAfter is later than dueBefore",
            ));
        }
        let sort = checks.take(match self.sort.as_deref().map(str::trim) {
            None | Some("created_at" | "createdAt") => Ok(SortKey::CreatedAt),
            Some("due" | "due_date" | "dueDate") => Ok(SortKey::Due),
            Some("priority") => Ok(SortKey::Priority),
            Some(_) => Err(FieldError::new(
                "sort",
                "invalid",
                "sort must be one of created_at, due, priority",
            )),
        });
        let descending = checks.take(match self.order.as_deref().map(str::trim) {
            None => Ok(sort == Some(SortKey::Priority)),
            Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(_) => Err(FieldError::new(
                "order",
                "invalid",
                "order must be asc or desc",
            )),
        });
        checks.finish(|| {
            Some((
                ItemFilter {
                    statuses: statuses?,
                    text,
                    due_before: due_before?,
                    due_after: due_after?,
                    sort: sort?,
                    descending: descending?,
                },
                page?,
            ))
        })
    }
}
