//! The reports archive: the incident reports of a range of days as one Markdown document.

use std::fmt::Write;

use super::Pages;
use crate::chaos::report::{self, Audience};
use crate::domain::grade::DayRange;
use crate::factory::Factory;
use crate::http::ApiError;

/// A title naming the range, then each incident's own report (the incidents a grade sheet
/// lists, in its order), its headings one level down so its title heads its section.
pub async fn archive(f: &Factory, range: DayRange) -> Result<String, ApiError> {
    let audience = Audience::of(&f.config);
    let mut pages = Pages::of(f, range, false).await?;
    let mut sections = Vec::new();
    while let Some(page) = pages.next().await? {
        for incident in page {
            let Some(started) = incident.started_at else { continue };
            sections.push((started, nested(&report::render(&incident, audience))));
        }
    }
    sections.sort_by_key(|(started, _)| *started);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Incident reports, {} to {}\n\n{} that became active in these days ({}); voided and drill \
         incidents are left out.\n",
        range.from,
        range.to,
        report::words::count(sections.len() as u64, "incident", "incidents"),
        audience.tz,
    );
    for (_, section) in sections {
        let _ = writeln!(out, "---\n\n{section}");
    }
    Ok(out)
}

/// A report's headings one level deeper. Only its headings begin a line with `#`: timeline rows
/// begin with `|`, so nothing a vendor or an admin typed can become a heading.
fn nested(report: &str) -> String {
    report
        .lines()
        .map(|line| {
            if line.starts_with('#') {
                format!("#{line}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_go_one_level_down_and_the_rest_stays() {
        let report = "# Incident report: `fail`\n\nIncident `x`.\n\n## Timeline\n\n| a | b # c |\n";
        assert_eq!(
            nested(report),
            "## Incident report: `fail`\n\nIncident `x`.\n\n### Timeline\n\n| a | b # c |\n"
        );
    }
}
