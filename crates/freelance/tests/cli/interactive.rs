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
