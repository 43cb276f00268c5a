//! The interactive mode, driven through stdin.

use insta::assert_snapshot;

use crate::support::Tracker;

#[test]
fn the_interactive_mode_runs_the_same_grammar_without_the_freelance_word() {
    let tracker = Tracker::new();
    let script = "\
# a comment, then the seed's flow
start project1 --at 9:00
status
stop --at 12:00
add \"Acme site\" +design --from 13:00 --to 14:00
report project1 since 1/2/24
report \"Acme site\" today
strat project1
help report
quit
status
";
    assert_snapshot!("shell_session", tracker.run_with_input(&[], script));
    // `freelance shell` is the same mode.
    assert_snapshot!(
        "shell_subcommand",
        tracker.run_with_input(&["shell"], "status\nexit\n")
    );
}

#[test]
fn in_a_terminal_tab_completes_commands_projects_and_date_words_and_keeps_history() {
    let tracker = Tracker::new();
    tracker.ok(&[
        "add",
        "website",
        "--from",
        "yesterday 9:00",
        "--to",
        "yesterday 10:00",
    ]);
    tracker.ok(&[
        "add",
        "webapp",
        "--from",
        "yesterday 11:00",
        "--to",
        "yesterday 12:00",
    ]);
    // "rep<Tab> webs<Tab> sin<Tab> yesterday<Enter>" must become the full command.
    let run = tracker.run_in_terminal(&["rep\t webs\t sin\t yesterday\r", "quit\r"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("Report for website: since Tue 5 Mar 2024"),
        "{run}"
    );
    let history =
        std::fs::read_to_string(tracker.home().join("data/freelance/history.txt")).unwrap();
    assert!(
        history.contains("report website since yesterday\n"),
        "{history}"
    );
}
