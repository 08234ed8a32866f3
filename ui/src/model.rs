//! What the page shows, computed from a paste: pure Rust, no DOM, tested on the host.

use std::collections::BTreeSet;

use netdoc::report::{Report, SegmentReport};

/// Name of the downloaded report.
pub const REPORT_FILE: &str = "netdoc-report.md";

/// Pastes larger than this are refused (a dropped file could be anything).
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// One line of the paste, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasteLine {
    /// 1-based, as the engine's evidence counts lines.
    pub number: usize,
    pub text: String,
    /// Some finding cites this line as evidence.
    pub cited: bool,
}

/// One diagnosis: the paste, the engine's report and its markdown rendering.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub lines: Vec<PasteLine>,
    pub report: Report,
    pub markdown: String,
}

impl Diagnosis {
    pub fn new(input: &str) -> Self {
        let report = netdoc::diagnose(input);
        let markdown = netdoc::render_markdown(&report);
        let cited = cited_lines(&report);
        let lines = input
            .lines()
            .enumerate()
            .map(|(i, text)| PasteLine {
                number: i + 1,
                text: text.to_string(),
                cited: cited.contains(&(i + 1)),
            })
            .collect();
        Self {
            lines,
            report,
            markdown,
        }
    }

    /// How many lines are cited as evidence.
    pub fn cited_count(&self) -> usize {
        self.lines.iter().filter(|l| l.cited).count()
    }
}

/// Every input line some finding cites (0, a calculation, cites none).
pub fn cited_lines(report: &Report) -> BTreeSet<usize> {
    report
        .findings
        .iter()
        .flat_map(|f| f.evidence.iter().map(|e| e.line))
        .filter(|&line| line > 0)
        .collect()
}

/// `3–7`, or `3` for a one-line segment.
pub fn line_range(segment: &SegmentReport) -> String {
    let [first, last] = segment.lines;
    if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    }
}

/// The detection confidence as a percentage, `0%`..`100%`.
pub fn confidence(segment: &SegmentReport) -> String {
    let pct = (segment.confidence.clamp(0.0, 1.0) * 100.0).round();
    format!("{pct:.0}%")
}

/// `2 findings`, `1 finding`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The page's sections, one per hash route (`#/subnet`); hash routes work from `file://`
/// and from any sub-folder, and never reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Diagnose,
    Subnet,
    Mtu,
    Dns,
    Policy,
}

impl Route {
    pub const ALL: [Route; 5] = [
        Route::Diagnose,
        Route::Subnet,
        Route::Mtu,
        Route::Dns,
        Route::Policy,
    ];

    /// The route a `location.hash` names; `None` for other anchors (`#L12`), which keep
    /// the current page.
    pub fn from_hash(hash: &str) -> Option<Route> {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '/']).next().unwrap_or_default();
        Some(match path {
            "" | "diagnose" => Route::Diagnose,
            "subnet" | "cidr" => Route::Subnet,
            "mtu" => Route::Mtu,
            "dns" => Route::Dns,
            "policy" => Route::Policy,
            _ => return None,
        })
    }

    pub fn slug(self) -> &'static str {
        match self {
            Route::Diagnose => "diagnose",
            Route::Subnet => "subnet",
            Route::Mtu => "mtu",
            Route::Dns => "dns",
            Route::Policy => "policy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::Diagnose => "Diagnose",
            Route::Subnet => "Subnet",
            Route::Mtu => "MTU",
            Route::Dns => "DNS",
            Route::Policy => "Policy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_ranks_the_selector_mismatch_first_and_cites_its_lines() {
        let d = Diagnosis::new(netdoc::EXAMPLE);
        assert_eq!(
            d.report.findings.first().map(|f| f.id.as_str()),
            Some("service-selector-mismatch")
        );
        assert!(d.cited_count() > 0);
        assert_eq!(d.lines.len(), netdoc::EXAMPLE.lines().count());
        for line in d.lines.iter().filter(|l| l.cited) {
            assert_eq!(
                netdoc::EXAMPLE.lines().nth(line.number - 1),
                Some(line.text.as_str())
            );
        }
        assert!(d.markdown.starts_with('#'));
    }

    #[test]
    fn empty_paste_is_an_empty_diagnosis() {
        let d = Diagnosis::new("");
        assert!(d.lines.is_empty());
        assert!(d.report.findings.is_empty());
    }

    #[test]
    fn formats() {
        let d = Diagnosis::new(netdoc::EXAMPLE);
        let Some(seg) = d.report.segments.first() else {
            panic!("the example has segments");
        };
        assert!(confidence(seg).ends_with('%'));
        assert!(!line_range(seg).is_empty());
        assert_eq!(plural(1, "finding", "findings"), "1 finding");
        assert_eq!(plural(2, "finding", "findings"), "2 findings");
    }

    #[test]
    fn routes() {
        assert_eq!(Route::from_hash(""), Some(Route::Diagnose));
        assert_eq!(Route::from_hash("#/policy"), Some(Route::Policy));
        assert_eq!(Route::from_hash("#subnet"), Some(Route::Subnet));
        assert_eq!(Route::from_hash("#L12"), None);
        for r in Route::ALL {
            assert_eq!(Route::from_hash(&format!("#/{}", r.slug())), Some(r));
        }
    }
}
