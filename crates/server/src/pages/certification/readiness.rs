//! Readiness as shown on the certification page and the dashboard.

use super::*;

/// Readiness per clause and per Annex A theme as (label, percent).
pub(crate) fn clause_percentages(r: &Readiness, themes: &[(String, String)]) -> Vec<(String, usize)> {
    let pct = |passed: usize, total: usize| (passed * 100).checked_div(total).unwrap_or(100);
    r.clauses
        .iter()
        .map(|(c, passed, total)| (format!("Clause {c}"), pct(*passed, *total)))
        .chain(r.themes.iter().map(|(t, ready, total)| {
            let title = themes.iter().find(|(k, _)| k == t).map_or("", |(_, title)| title.as_str());
            (format!("{t} {title} ({ready} of {total} controls implemented and evidenced)"), pct(*ready, *total))
        }))
        .collect()
}
