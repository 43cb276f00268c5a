//! `groundwork polls vote`: casts or changes a vote through the HTTP API, as a signed-in
//! user (`--token`) or anonymously with a voter token obtained once and kept in the
//! config directory (one per server).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use reqwest::StatusCode;
use uuid::Uuid;

use super::{VoteArgs, base_url, chart, config_dir};
use crate::api::handlers::VOTER_TOKEN_HEADER;
use crate::api::response::{PollResponse, VoterTokenResponse};

/// Votes and prints the poll as it stands after the vote.
pub async fn vote(args: &VoteArgs) -> anyhow::Result<()> {
    let base = base_url(&args.server.server)?;
    let client = reqwest::Client::new();
    let poll: PollResponse = send(client.get(format!("{base}/polls/{}", args.poll))).await?;
    let chosen = args
        .options
        .iter()
        .map(|wanted| resolve_option(&poll, wanted))
        .collect::<anyhow::Result<Vec<Uuid>>>()?;
    let mut request = client
        .put(format!("{base}/polls/{}/votes", args.poll))
        .json(&serde_json::json!({ "optionIds": chosen }));
    request = match &args.token {
        Some(token) => request.bearer_auth(token),
        None => request.header(VOTER_TOKEN_HEADER, voter_token(&client, &base).await?),
    };
    let after: PollResponse = send(request).await?;
    let labels: Vec<&str> = after
        .options
        .iter()
        .filter(|o| chosen.contains(&o.id))
        .map(|o| o.label.as_str())
        .collect();
    println!("voted for {}", labels.join(", "));
    println!("{}", chart::one_line(&after));
    Ok(())
}

/// An option by number (1-based), label (any case) or id.
fn resolve_option(poll: &PollResponse, wanted: &str) -> anyhow::Result<Uuid> {
    if let Ok(number) = wanted.parse::<usize>()
        && let Some(option) = number.checked_sub(1).and_then(|i| poll.options.get(i))
    {
        return Ok(option.id);
    }
    if let Some(option) = poll
        .options
        .iter()
        .find(|o| o.label.eq_ignore_ascii_case(wanted.trim()))
    {
        return Ok(option.id);
    }
    if let Ok(id) = wanted.parse::<Uuid>()
        && poll.options.iter().any(|o| o.id == id)
    {
        return Ok(id);
    }
    let listed: Vec<String> = poll
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| format!("{}. {}", i + 1, o.label))
        .collect();
    bail!(
        "{wanted:?} is not an option of this poll; its options are: {}",
        listed.join(", ")
    )
}

/// The voter token for this server, obtained and saved on first use.
async fn voter_token(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let file = config_dir()?.join("voter-tokens.json");
    let mut tokens = read_tokens(&file);
    if let Some(token) = tokens.get(base) {
        return Ok(token.clone());
    }
    let issued: VoterTokenResponse =
        send(client.post(format!("{base}/polls/voter-tokens"))).await?;
    tokens.insert(base.to_owned(), issued.voter_token.clone());
    write_tokens(&file, &tokens)
        .with_context(|| format!("cannot save the voter token in {}", file.display()))?;
    Ok(issued.voter_token)
}

fn read_tokens(file: &Path) -> HashMap<String, String> {
    std::fs::read(file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Writes the tokens readable by the user only: a token is a vote's identity.
fn write_tokens(file: &Path, tokens: &HashMap<String, String>) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = file.with_extension("json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(tokens)?)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(temporary, file)
}

/// Sends a request; a problem+json answer becomes an error with its detail.
async fn send<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> anyhow::Result<T> {
    let response = request.send().await.context("cannot reach the server")?;
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .context("the server's answer is not a poll");
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let detail = body["detail"].as_str().unwrap_or("no detail");
    match status {
        StatusCode::NOT_FOUND => bail!("not found: {detail}"),
        _ => bail!("the server answered {status}: {detail}"),
    }
}
