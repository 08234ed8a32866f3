//! What the parser fixture tests share: where the fixtures live, and how one is run
//! through its parser (under its command line when the test gives one).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use netdoc::parse::{parse_as, Parsed};
use netdoc::split::Segment;
use std::path::{Path, PathBuf};

/// `tests/fixtures/` at the top of the repository.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// A fixture's text, by path relative to `tests/fixtures/` (`dig/dig-9.18--short.txt`).
pub fn read(rel: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `.txt` fixtures of one kind, sorted by name.
pub fn files(kind: &str) -> Vec<String> {
    let dir = fixtures_dir().join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f.ends_with(".txt"))
        .collect();
    files.sort();
    files
}

/// Parse fixture `rel` as `kind`; when `commands` names a command line for it, the
/// output is read as that command's (its first line is then line 2).
pub fn run_with(kind: &str, rel: &str, commands: &[(&str, &str)]) -> Parsed {
    let text = read(rel);
    let seg = match commands.iter().find(|(f, _)| *f == rel) {
        Some((_, cmd)) => Segment::with_command(&text, 2, cmd),
        None => Segment::new(&text, 1),
    };
    parse_as(kind, &seg).expect("known kind")
}

/// Parse fixture `rel` as `kind`, without a command line.
pub fn run(kind: &str, rel: &str) -> Parsed {
    run_with(kind, rel, &[])
}

/// Each kind's `--empty.txt` fixture parses to no records and no problems: empty output
/// is read as empty, never as unparsed.
pub fn assert_empty_fixtures_read_empty(kinds: &[&str]) {
    for kind in kinds {
        let empty = files(kind)
            .into_iter()
            .find(|f| f.ends_with("--empty.txt"))
            .unwrap_or_else(|| panic!("{kind} needs an --empty.txt fixture"));
        let p = run(kind, &format!("{kind}/{empty}"));
        assert_eq!(
            (p.records.len(), p.problems.len(), p.status),
            (0, 0, netdoc::parse::Status::Parsed),
            "{kind}"
        );
    }
}

/// `netdoc::parse_all` of a paste: one JSON value per segment.
pub fn segments(input: &str) -> Vec<serde_json::Value> {
    netdoc::parse_all(input).as_array().unwrap().clone()
}

/// `input` is read as exactly one segment, detected as `kind`; that segment. `what` names
/// the case in failure messages.
pub fn one_segment_of(input: &str, kind: &str, what: &str) -> serde_json::Value {
    let segs = segments(input);
    assert_eq!(segs.len(), 1, "{what}: {segs:?}");
    assert_eq!(
        segs[0]["detection"]["kind"].as_str(),
        Some(kind),
        "{what}: {:?}",
        segs[0]["detection"]
    );
    segs[0].clone()
}
