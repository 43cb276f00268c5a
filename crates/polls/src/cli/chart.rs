//! Drawing a poll: the full-screen chart (ratatui) and the one-line form.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::api::response::PollResponse;

/// What the screen shows besides the poll.
pub struct Status<'a> {
    /// Connection state or the last event, for the footer.
    pub note: &'a str,
}

/// Share of `votes` in `total`, in percent.
fn percent(votes: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        votes as f64 * 100.0 / total as f64
    }
}

/// One bar per option, scaled to the widest the terminal allows.
pub fn draw(frame: &mut Frame, poll: Option<&PollResponse>, status: &Status<'_>) {
    let [body, footer] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    let Some(poll) = poll else {
        frame.render_widget(Paragraph::new(status.note), body);
        return;
    };
    let total: u64 = poll.options.iter().map(|o| o.votes).sum();
    let label_width = poll
        .options
        .iter()
        .map(|o| o.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    // Room left for the bar after the label, the count and the borders.
    let bar_room = usize::from(body.width)
        .saturating_sub(label_width + 20)
        .max(1);
    let most = poll
        .options
        .iter()
        .map(|o| o.votes)
        .max()
        .unwrap_or(0)
        .max(1);
    let lines: Vec<Line> = poll
        .options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let filled = (option.votes as usize * bar_room) / most as usize;
            let label: String = option.label.chars().take(label_width).collect();
            Line::from(vec![
                Span::raw(format!("{:>2}. {label:<label_width$} ", i + 1)),
                Span::styled("█".repeat(filled), Style::default().fg(Color::Cyan)),
                Span::raw(format!(
                    " {} ({:.0}%)",
                    option.votes,
                    percent(option.votes, total)
                )),
            ])
        })
        .collect();
    let state = if poll.open {
        "open"
    } else {
        "CLOSED: final tallies"
    };
    let title = Line::from(Span::styled(
        format!(" {} ", poll.question),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    let chart = Paragraph::new(lines)
        .block(Block::default().borders(Borders::ALL).title(title))
        .wrap(Wrap { trim: false });
    frame.render_widget(chart, body);
    let footer_text = format!(
        " {} voters · {state} · {} · q quits",
        poll.voters, status.note
    );
    frame.render_widget(Paragraph::new(footer_text), footer);
}

/// `Lunch? | Pizza 3 (60%) | Sushi 2 (40%) | 5 voters, open`
pub fn one_line(poll: &PollResponse) -> String {
    let total: u64 = poll.options.iter().map(|o| o.votes).sum();
    let mut line = poll.question.clone();
    for option in &poll.options {
        line.push_str(&format!(
            " | {} {} ({:.0}%)",
            option.label,
            option.votes,
            percent(option.votes, total)
        ));
    }
    let state = if poll.open { "open" } else { "closed" };
    line.push_str(&format!(" | {} voters, {state}", poll.voters));
    line
}
