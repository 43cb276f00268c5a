//! `groundwork users create` and `groundwork users promote`: admin bootstrap. They open
//! the same database as `serve` (SQLite's busy timeout lets them write while it runs).

use std::io::BufRead;

use anyhow::Context;
use groundwork_platform::ApiError;
use groundwork_platform::auth::email::Email;
use groundwork_platform::auth::password::NewPassword;
use groundwork_platform::auth::role;
use groundwork_platform::auth::service::{Registration, User, parse_name};
use groundwork_platform::config::Config;

use crate::UsageError;
use crate::cli::{CreateUserArgs, PromoteArgs};

/// Creates an account; prints it.
pub async fn create(args: CreateUserArgs) -> anyhow::Result<()> {
    let password = match (args.password, args.password_stdin) {
        (Some(password), false) => password,
        (None, true) => read_password_from_stdin()?,
        _ => return Err(UsageError("give --password or --password-stdin".into()).into()),
    };
    let registration = Registration {
        email: Email::parse(&args.email)
            .map_err(|e| UsageError(format!("--email: {}", e.message)))?,
        password: NewPassword::parse("password", &password)
            .map_err(|e| UsageError(format!("--password: {}", e.message)))?,
        name: args
            .name
            .as_deref()
            .map(|n| parse_name("name", n))
            .transpose()
            .map_err(|e| UsageError(format!("--name: {}", e.message)))?,
    };
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let role = if args.admin { role::ADMIN } else { role::USER };
    let user = platform
        .auth()
        .create_user(registration, role)
        .await
        .map_err(describe)?;
    print_user(&user, args.json)?;
    platform.close().await;
    Ok(())
}

/// Promotes an account to admin; prints it.
pub async fn promote(args: PromoteArgs) -> anyhow::Result<()> {
    let email =
        Email::parse(&args.email).map_err(|e| UsageError(format!("--email: {}", e.message)))?;
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let user = platform.auth().promote(&email).await.map_err(describe)?;
    print_user(&user, false)?;
    platform.close().await;
    Ok(())
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn print_user(user: &User, json: bool) -> anyhow::Result<()> {
    if json {
        let value = serde_json::json!({
            "id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "createdAt": user.created_at, "updatedAt": user.updated_at,
        });
        println!("{value}");
    } else {
        println!("{}\t{}\t{}", user.id, user.email, user.role);
    }
    Ok(())
}

/// A service error as a CLI message: the human detail, not the HTTP status.
fn describe(error: ApiError) -> anyhow::Error {
    let problem = error.to_problem();
    let mut message = problem.detail;
    for field in problem.errors {
        message.push_str(&format!("; {}: {}", field.field, field.message));
    }
    anyhow::anyhow!(message)
}
