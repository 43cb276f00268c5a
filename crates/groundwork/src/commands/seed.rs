//! `groundwork todo seed`, `groundwork expenses seed`, `groundwork books seed`,
//! `groundwork fitness seed`, `groundwork shortener seed`: benchmark
//! data sets.

use std::time::Instant;

use groundwork_platform::config::Config;

use crate::cli::{BooksSeedArgs, FitnessSeedArgs, OwnedSeedArgs, ShortenerSeedArgs};

/// Accounts and their to-do items.
pub async fn todo(args: OwnedSeedArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let started = Instant::now();
    groundwork_todo::seed::run(&platform, args.users, args.items, args.seed)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    report("to-do items", &args, started);
    platform.close().await;
    Ok(())
}

/// Accounts and their expenses.
pub async fn expenses(args: OwnedSeedArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let started = Instant::now();
    groundwork_expenses::seed::run(&platform, args.users, args.items, args.seed)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    report("expenses", &args, started);
    platform.close().await;
    Ok(())
}

fn report(what: &str, args: &OwnedSeedArgs, started: Instant) {
    eprintln!(
        "seeded {} users and {} {what} in {:.1} s",
        args.users,
        args.items,
        started.elapsed().as_secs_f64()
    );
}

/// Books in the configured books file.
pub async fn books(args: BooksSeedArgs) -> anyhow::Result<()> {
    let config = Config::load()?;
    let path = groundwork_books::BooksSystem::path(&config).map_err(|e| anyhow::anyhow!(e))?;
    let started = Instant::now();
    groundwork_books::seed::run(&path, args.books, args.seed)?;
    eprintln!(
        "wrote {} books to {} in {:.1} s",
        args.books,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One account with years of training history.
pub async fn fitness(args: FitnessSeedArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let started = Instant::now();
    let seeded = groundwork_fitness::seed::run(&platform, args.years, args.seed)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    eprintln!(
        "seeded {} workouts and {} sets over {} years in {:.1} s",
        seeded.workouts,
        seeded.sets,
        args.years,
        started.elapsed().as_secs_f64()
    );
    platform.close().await;
    Ok(())
}

/// Anonymous short links.
pub async fn shortener(args: ShortenerSeedArgs) -> anyhow::Result<()> {
    let config = Config::load()?;
    let settings: groundwork_shortener::ShortenerSettings = config.section("shortener")?;
    settings.check().map_err(|e| anyhow::anyhow!(e))?;
    let platform = super::platform(config).await?;
    super::ensure_schema(&platform, false).await?;
    let started = Instant::now();
    groundwork_shortener::seed::run(
        platform.db(),
        args.links,
        settings.code_length,
        args.codes.as_deref(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    eprintln!(
        "seeded {} links in {:.1} s",
        args.links,
        started.elapsed().as_secs_f64()
    );
    platform.close().await;
    Ok(())
}
