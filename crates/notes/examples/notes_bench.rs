//! Render and grammar-check latency for 3,000-word notes (`bench/notes.sh` runs it with
//! `--release`). Every note is different (generated from a seed) and the "different note"
//! row runs without the piece cache, so no cache flatters it; the same note again and a
//! note with one paragraph edited are reported separately, with the cache, since that is
//! what an editor re-checking a note gets.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use groundwork_notes::grammar::{EnglishDialect, Format, GrammarChecker};
use groundwork_notes::markdown::render_safe;

// The allocator `groundwork serve` runs with, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SUBJECTS: &[&str] = &[
    "The team",
    "Our new service",
    "The database",
    "Every request",
    "The scheduler",
    "A careful reviewer",
    "The cache layer",
    "This release",
    "The on-call engineer",
    "The migration",
    "Each worker",
    "The proxy",
    "My manager",
    "The first prototype",
];
const VERBS: &[&str] = &[
    "handles",
    "rejects",
    "improves",
    "measures",
    "replaces",
    "documents",
    "slows down",
    "protects",
    "simplifies",
    "stores",
    "recieves",
    "schedules",
    "retries",
    "explains",
];
const OBJECTS: &[&str] = &[
    "the slow queries",
    "every incoming message",
    "their deployment plan",
    "a backlog of jobs",
    "the old configuration",
    "its own metrics",
    "the customer reports",
    "an edge case",
    "the nightly backups",
    "a large upload",
    "the error budget",
    "the search index",
];
const TAILS: &[&str] = &[
    "before the weekend",
    "without any downtime",
    "in less then a second",
    "for the third time",
    "after the outage",
    "with a single command",
    "during peak hours",
    "as expected",
    "on every instance",
    "despite the noise",
    "when it is ready",
    "at the end of the sprint",
];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        items[(self.0 % items.len() as u64) as usize]
    }
}

/// A markdown note of about `words` words: headings, paragraphs, a list, a table, code
/// and links, with the occasional spelling and grammar slip.
fn note(seed: u64, words: usize) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut text = String::from("# Weekly engineering notes\n\n");
    let mut count = 4;
    let mut section = 0;
    while count < words {
        section += 1;
        text.push_str(&format!("## Part {section}\n\n"));
        for _ in 0..4 {
            for _ in 0..5 {
                let sentence = format!(
                    "{} {} {} {} (item {}). ",
                    rng.pick(SUBJECTS),
                    rng.pick(VERBS),
                    rng.pick(OBJECTS),
                    rng.pick(TAILS),
                    rng.0 % 1000
                );
                count += sentence.split_whitespace().count();
                text.push_str(&sentence);
            }
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "- [x] {} {}\n- [ ] see [the runbook](https://example.com/runbook/{section})\n\n",
            rng.pick(SUBJECTS),
            rng.pick(VERBS)
        ));
        text.push_str("| metric | value |\n|---|---:|\n| p99 | 12 ms |\n\n");
        text.push_str("```rust\nlet total = items.iter().sum::<u64>();\n```\n\n");
        count += 24;
    }
    text
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1000.0
}

fn report(name: &str, samples: &mut [Duration]) {
    let p50 = percentile(samples, 0.50);
    let p99 = percentile(samples, 0.99);
    println!("| {name} | {} | {p50:.2} | {p99:.2} |", samples.len());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let words: usize = std::env::args().nth(1).map_or(3000, |a| a.parse().unwrap());
    let rounds: u64 = std::env::args().nth(2).map_or(200, |a| a.parse().unwrap());
    let sample = note(0, words);
    let counted = sample.split_whitespace().count();
    eprintln!(
        "notes of ~{counted} whitespace-separated tokens, {} bytes",
        sample.len()
    );

    let mut render = Vec::new();
    for seed in 0..rounds {
        let text = note(seed, words);
        let start = Instant::now();
        let html = render_safe(&text).unwrap();
        render.push(start.elapsed());
        assert!(html.len() > text.len() / 2);
    }

    // For the harper.js comparison (bench/harperjs): the warm-up note, then the notes the
    // "different note each time" row checks, in order.
    if let Some(dir) = std::env::var_os("DUMP_NOTES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("0000.md"), note(u64::MAX, words)).unwrap();
        for seed in 1..=rounds {
            std::fs::write(dir.join(format!("{seed:04}.md")), note(seed * 7919, words)).unwrap();
        }
    }

    // THREADS checker threads (bench/notes.sh runs 1 on one core, then 2 on both).
    let threads: usize = std::env::var("THREADS").map_or(1, |t| t.parse().unwrap());
    let plain = |checker: &GrammarChecker, text: String| {
        let checker = checker.clone();
        async move {
            checker
                .check(
                    uuid::Uuid::nil(),
                    text,
                    Format::Markdown,
                    EnglishDialect::American,
                    HashSet::new(),
                )
                .await
                .unwrap()
        }
    };
    // Without the piece cache: every check is of text the checker has not seen.
    let cold = GrammarChecker::new(threads, 0);
    // The first checks build each thread's linter and load the tagger model: reported apart.
    let start = Instant::now();
    for warm_up in 0..threads as u64 {
        let issues = plain(&cold, note(u64::MAX - warm_up, words)).await;
        eprintln!(
            "warm-up check (linter construction included): {:?}, {} issues",
            start.elapsed(),
            issues.len()
        );
    }

    let mut grammar = Vec::new();
    for seed in 1..=rounds {
        let text = note(seed * 7919, words);
        let start = Instant::now();
        let issues = plain(&cold, text).await;
        grammar.push(start.elapsed());
        assert!(!issues.is_empty(), "the generated notes carry mistakes");
    }

    // The same notes through harper-core directly, each as one document (no blocks, no
    // pool): what a check cost before notes were cut into pieces.
    let mut whole = Vec::new();
    if threads == 1 {
        use harper_core::linting::{LintGroup, Linter};
        let mut linter = LintGroup::new_curated(
            harper_core::spell::FstDictionary::curated(),
            harper_core::Dialect::American,
        );
        for seed in 1..=rounds {
            let text = note(seed * 7919, words);
            let start = Instant::now();
            let document = harper_core::Document::new_markdown_default_curated(&text);
            let mut lints = linter.lint(&document);
            harper_core::remove_overlaps(&mut lints);
            whole.push(start.elapsed());
        }
    }

    // With the piece cache, as `groundwork serve` runs: an unchanged note, and a note with
    // one paragraph edited since its last check (an editor re-checking as the user types).
    let cached = GrammarChecker::new(threads, 32 << 20);
    for warm_up in 0..threads as u64 {
        plain(&cached, note(u64::MAX - warm_up, words)).await;
    }
    plain(&cached, sample.clone()).await;
    let mut repeated = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        plain(&cached, sample.clone()).await;
        repeated.push(start.elapsed());
    }
    let mut edited = Vec::new();
    for seed in 1..=rounds {
        let text = note(seed * 7919, words);
        plain(&cached, text.clone()).await;
        let changed = edit_one_paragraph(&text, seed as usize);
        let start = Instant::now();
        plain(&cached, changed).await;
        edited.push(start.elapsed());
    }

    // Notes checked ahead when saved (`grammar_on_save`): how long after the save the
    // check ahead is done, and what asking for the saved note's grammar then costs.
    let mut ahead = Vec::new();
    let mut saved = Vec::new();
    for seed in 1..=rounds {
        let text = note(seed * 7919 + 1, words);
        let (account, dialect) = (uuid::Uuid::nil(), EnglishDialect::American);
        let start = Instant::now();
        let done = cached.check_ahead(account, text.clone(), Format::Markdown, dialect);
        assert_eq!(done.unwrap().await, Ok(true));
        ahead.push(start.elapsed());
        let start = Instant::now();
        plain(&cached, text).await;
        saved.push(start.elapsed());
    }

    if std::env::var_os("SPLIT").is_some() {
        split_costs(words);
        return;
    }
    if std::env::var_os("RULES").is_some() {
        rule_costs(words);
        return;
    }
    println!("| operation ({words}-word note) | runs | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    report("render to sanitised HTML", &mut render);
    let on = if threads == 1 {
        "1 thread".to_owned()
    } else {
        format!("{threads} threads")
    };
    report(
        &format!("grammar check, a different note each time, {on}"),
        &mut grammar,
    );
    if !whole.is_empty() {
        report(
            "harper-core alone, the whole note as one document, 1 thread",
            &mut whole,
        );
    }
    report(
        &format!("grammar check, the same note again (piece cache), {on}"),
        &mut repeated,
    );
    report(
        &format!("grammar check, one paragraph edited (piece cache), {on}"),
        &mut edited,
    );
    report(
        &format!("grammar check of a saved note, its check ahead done (piece cache), {on}"),
        &mut saved,
    );
    report(
        &format!("from saving a new note until its check ahead is done, {on}"),
        &mut ahead,
    );
}

/// `text` with a sentence added to its `n`-th prose paragraph (counting round).
fn edit_one_paragraph(text: &str, n: usize) -> String {
    let mut blocks: Vec<String> = text.split("\n\n").map(str::to_owned).collect();
    let prose: Vec<usize> = (0..blocks.len())
        .filter(|i| blocks[*i].starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    let chosen = prose[n % prose.len()];
    blocks[chosen].push_str(" The editor adds one more sentence here.");
    blocks.join("\n\n")
}

/// Where a check's time goes: parsing (with tagging and chunking) or linting.
#[allow(dead_code)]
fn split_costs(words: usize) {
    use harper_core::linting::{LintGroup, Linter};
    use harper_core::spell::FstDictionary;
    let mut linter =
        LintGroup::new_curated(FstDictionary::curated(), harper_core::Dialect::American);
    let (mut parse, mut lint) = (Vec::new(), Vec::new());
    for seed in 1..=20 {
        let text = note(seed * 104_729, words);
        let start = Instant::now();
        let document = harper_core::Document::new_markdown_default_curated(&text);
        parse.push(start.elapsed());
        let start = Instant::now();
        let _ = linter.lint(&document);
        lint.push(start.elapsed());
    }
    report("parse (tagging, chunking)", &mut parse);
    report("lint", &mut lint);
}

/// What each of harper's rules costs alone (`RULES=1`): ten notes parsed once, then
/// linted with one rule enabled at a time, against none enabled (the group's own cost).
#[allow(dead_code)]
fn rule_costs(words: usize) {
    use harper_core::linting::{LintGroup, Linter};
    use harper_core::spell::FstDictionary;
    let documents: Vec<_> = (1..=10)
        .map(|seed| {
            harper_core::Document::new_markdown_default_curated(&note(seed * 15_485_863, words))
        })
        .collect();
    let mut group =
        LintGroup::new_curated(FstDictionary::curated(), harper_core::Dialect::American);
    let enabled: Vec<String> = group
        .iter_keys()
        .filter(|key| group.config.is_rule_enabled(key))
        .map(str::to_owned)
        .collect();
    // Each configuration is new to the group's caches (their keys include the config).
    let lint_all = |group: &mut LintGroup| {
        let start = Instant::now();
        for document in &documents {
            let _ = group.lint(document);
        }
        start.elapsed() / documents.len() as u32
    };
    let all = lint_all(&mut group);
    group.set_all_rules_to(Some(false));
    let none = lint_all(&mut group);
    let mut costs: Vec<(Duration, &str)> = enabled
        .iter()
        .map(|key| {
            group.set_all_rules_to(Some(false));
            group.config.set_rule_enabled(key, true);
            (lint_all(&mut group).saturating_sub(none), key.as_str())
        })
        .collect();
    costs.sort_unstable_by(|a, b| b.cmp(a));
    println!(
        "{} rules enabled; per note: all {all:.2?}, none {none:.2?} (the group's own cost)",
        enabled.len()
    );
    let top: Duration = costs.iter().take(10).map(|cost| cost.0).sum();
    println!("the 10 costliest rules alone: {top:.2?} per note");
    for (cost, key) in costs.iter().take(10) {
        println!("  {key}: {cost:.2?}");
    }
}
