//! `GET /shorten/{code}/analytics?from=&to=`: clicks per day and hour, unique visitors,
//! top referrers and user-agent families over a range of UTC days. A link with an owner
//! shows its analytics to the owner (and admins) only.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use groundwork_platform::auth::extract::MaybeUser;
use groundwork_platform::http::extract::{Json, Path};
use groundwork_platform::{ApiError, ApiResult, FieldError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::code::looks_like_code;
use crate::entities::{agents_daily, clicks_hourly, referrers_daily, visitors_daily};
use crate::error::{Params, no_such_link};
use crate::links::{check_may_change, repo};
use crate::service::Shortener;

/// Referrers listed at most.
const TOP_REFERRERS: u64 = 10;

/// The range asked for (UTC days, both included).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// First day (`YYYY-MM-DD`); default 29 days before `to`.
    pub from: Option<NaiveDate>,
    /// Last day; default today (UTC).
    pub to: Option<NaiveDate>,
}

/// Clicks on one day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Clicks.
    pub clicks: i64,
    /// Distinct visitors that day.
    pub unique_visitors: i64,
}

/// Clicks in one hour.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourCount {
    /// Start of the hour (UTC).
    pub hour: DateTime<Utc>,
    /// Clicks.
    pub clicks: i64,
}

/// Clicks from one source or family.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedCount {
    /// Referrer host (`(direct)` when none was sent), browser or OS family.
    pub name: String,
    /// Clicks.
    pub clicks: i64,
}

/// The analytics of one link over a range.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsResponse {
    /// The link.
    pub short_code: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Clicks in the range.
    pub total_clicks: i64,
    /// Sum of each day's distinct visitors. Visitor ids change every day (the salt
    /// rotates), so one person on two days counts twice; that is the price of not being
    /// able to follow anyone across days.
    pub unique_visitors: i64,
    /// Every day of the range, zeros included.
    pub clicks_by_day: Vec<DayCount>,
    /// Hours with clicks.
    pub clicks_by_hour: Vec<HourCount>,
    /// The most frequent referring hosts.
    pub top_referrers: Vec<NamedCount>,
    /// Browser families, most clicks first.
    pub browsers: Vec<NamedCount>,
    /// Operating systems, most clicks first.
    pub operating_systems: Vec<NamedCount>,
    /// Clicks by people (browsers).
    pub human_clicks: i64,
    /// Clicks by crawlers, preview fetchers, scripts.
    pub bot_clicks: i64,
}

fn range(query: &AnalyticsQuery, max_days: i64) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = query.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = query.from.unwrap_or_else(|| to - Days::new(29));
    let days = (to - from).num_days() + 1;
    let problem = if from > to {
        Some(FieldError::new("from", "after_to", "from is after to"))
    } else if days > max_days {
        Some(FieldError::new(
            "to",
            "range_too_long",
            format!("at most {max_days} days per request"),
        ))
    } else {
        None
    };
    match problem {
        Some(error) => Err(ApiError::validation(vec![error]).with_status(StatusCode::BAD_REQUEST)),
        None => Ok((from, to)),
    }
}

/// Analytics of one link.
///
/// `curl 'localhost:8080/shortener/shorten/abc123/analytics?from=2026-11-01&to=2026-11-30'`
#[utoipa::path(
    get,
    path = "/shorten/{code}/analytics",
    params(("code" = String, Path, description = "Short code or alias"), AnalyticsQuery),
    responses(
        (status = 200, description = "Analytics over the range", body = AnalyticsResponse),
        (status = 400, description = "Bad range"),
        (status = 401, description = "The link has an owner; sign in"),
        (status = 403, description = "Someone else's link"),
        (status = 404, description = "No such short URL"),
    ),
    security((), ("bearer" = []))
)]
pub async fn link_analytics(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    MaybeUser(caller): MaybeUser,
    Params(query): Params<AnalyticsQuery>,
) -> ApiResult<Json<AnalyticsResponse>> {
    if !looks_like_code(&code) {
        return Err(no_such_link());
    }
    let link = repo::find_by_code(&state.db, &code)
        .await?
        .ok_or_else(no_such_link)?;
    if link.owner_id.is_some() {
        // Owned links: the owner's business only (same rule as changing them).
        check_may_change(&link, caller.as_ref(), false)?;
    }
    let (from, to) = range(&query, state.settings.max_analytics_days)?;
    state.clicks.flush().await?;
    Ok(Json(read(&state.db, link.id, &link.code, from, to).await?))
}

async fn read(
    db: &impl ConnectionTrait,
    link: i64,
    code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<AnalyticsResponse, DbErr> {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = (to + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let hours: Vec<(DateTime<Utc>, i64)> = clicks_hourly::Entity::find()
        .select_only()
        .columns([clicks_hourly::Column::Hour, clicks_hourly::Column::Clicks])
        .filter(clicks_hourly::Column::LinkId.eq(link))
        .filter(clicks_hourly::Column::Hour.gte(start))
        .filter(clicks_hourly::Column::Hour.lt(end))
        .order_by_asc(clicks_hourly::Column::Hour)
        .into_tuple()
        .all(db)
        .await?;
    let uniques: Vec<(NaiveDate, i64)> = visitors_daily::Entity::find()
        .select_only()
        .column(visitors_daily::Column::Day)
        .column_as(Expr::cust("COUNT(*)"), "visitors")
        .filter(visitors_daily::Column::LinkId.eq(link))
        .filter(visitors_daily::Column::Day.between(from, to))
        .group_by(visitors_daily::Column::Day)
        .into_tuple()
        .all(db)
        .await?;
    let referrers: Vec<(String, i64)> = referrers_daily::Entity::find()
        .select_only()
        .column(referrers_daily::Column::Referrer)
        .column_as(Expr::cust(r#"CAST(SUM("clicks") AS BIGINT)"#), "total")
        .filter(referrers_daily::Column::LinkId.eq(link))
        .filter(referrers_daily::Column::Day.between(from, to))
        .group_by(referrers_daily::Column::Referrer)
        .order_by_desc(Expr::cust("total"))
        .order_by_asc(referrers_daily::Column::Referrer)
        .limit(TOP_REFERRERS)
        .into_tuple()
        .all(db)
        .await?;
    let agents: Vec<(String, String, bool, i64)> = agents_daily::Entity::find()
        .select_only()
        .columns([
            agents_daily::Column::Browser,
            agents_daily::Column::Os,
            agents_daily::Column::Bot,
        ])
        .column_as(Expr::cust(r#"CAST(SUM("clicks") AS BIGINT)"#), "total")
        .filter(agents_daily::Column::LinkId.eq(link))
        .filter(agents_daily::Column::Day.between(from, to))
        .group_by(agents_daily::Column::Browser)
        .group_by(agents_daily::Column::Os)
        .group_by(agents_daily::Column::Bot)
        .into_tuple()
        .all(db)
        .await?;

    let mut by_day: BTreeMap<NaiveDate, (i64, i64)> = from
        .iter_days()
        .take_while(|day| *day <= to)
        .map(|day| (day, (0, 0)))
        .collect();
    for (hour, clicks) in &hours {
        if let Some(entry) = by_day.get_mut(&hour.date_naive()) {
            entry.0 += clicks;
        }
    }
    for (day, visitors) in uniques {
        if let Some(entry) = by_day.get_mut(&day) {
            entry.1 = visitors;
        }
    }
    let mut browsers = BTreeMap::<String, i64>::new();
    let mut systems = BTreeMap::<String, i64>::new();
    let (mut human_clicks, mut bot_clicks) = (0, 0);
    for (browser, os, bot, clicks) in agents {
        *browsers.entry(browser).or_default() += clicks;
        *systems.entry(os).or_default() += clicks;
        if bot {
            bot_clicks += clicks;
        } else {
            human_clicks += clicks;
        }
    }
    Ok(AnalyticsResponse {
        short_code: code.to_owned(),
        from,
        to,
        total_clicks: hours.iter().map(|(_, n)| n).sum(),
        unique_visitors: by_day.values().map(|(_, v)| v).sum(),
        clicks_by_day: by_day
            .into_iter()
            .map(|(date, (clicks, unique_visitors))| DayCount {
                date,
                clicks,
                unique_visitors,
            })
            .collect(),
        clicks_by_hour: hours
            .into_iter()
            .map(|(hour, clicks)| HourCount { hour, clicks })
            .collect(),
        top_referrers: referrers
            .into_iter()
            .map(|(name, clicks)| NamedCount { name, clicks })
            .collect(),
        browsers: ranked(browsers),
        operating_systems: ranked(systems),
        human_clicks,
        bot_clicks,
    })
}

/// Most clicks first, then by name.
fn ranked(counts: BTreeMap<String, i64>) -> Vec<NamedCount> {
    let mut list: Vec<NamedCount> = counts
        .into_iter()
        .map(|(name, clicks)| NamedCount { name, clicks })
        .collect();
    list.sort_by(|a, b| b.clicks.cmp(&a.clicks).then_with(|| a.name.cmp(&b.name)));
    list
}
