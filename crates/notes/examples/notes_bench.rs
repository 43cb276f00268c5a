//! Render and grammar-check latency for 3,000-word notes (`bench/notes.sh` runs it with
//! `--release`). Every note is different (generated from a seed), so harper's caches of
//! sentences it has seen do not flatter the grammar numbers; a repeated check of one
//! note is reported separately, since that is what an editor re-checking a note gets.

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

    let checker = GrammarChecker::new(1);
    let check = |text: String| {
        checker.check(
            text,
            Format::Markdown,
            EnglishDialect::American,
            HashSet::new(),
        )
    };
    // The first check builds the linter and loads the tagger model: reported apart.
    let start = Instant::now();
    let issues = check(note(u64::MAX, words)).await.unwrap();
    let first = start.elapsed();
    eprintln!(
        "first check (linter construction included): {first:?}, {} issues",
        issues.len()
    );

    let mut grammar = Vec::new();
    for seed in 1..=rounds {
        let text = note(seed * 7919, words);
        let start = Instant::now();
        let issues = check(text).await.unwrap();
        grammar.push(start.elapsed());
        assert!(!issues.is_empty(), "the generated notes carry mistakes");
    }
    let mut repeated = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        check(sample.clone()).await.unwrap();
        repeated.push(start.elapsed());
    }

    if std::env::var_os("SPLIT").is_some() {
        split_costs(words);
        return;
    }
    println!("| operation ({words}-word note) | runs | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    report("render to sanitised HTML", &mut render);
    report("grammar check, a different note each time", &mut grammar);
    report("grammar check, the same note again", &mut repeated);
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
