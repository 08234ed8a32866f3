//! Big segments are read in chunks (`parse::parse_stream`, `facts::Builder::begin` /
//! `add_records` / `end`): what the chunks add up to must not depend on their size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use netdoc::parse::{parse_as, parse_stream, Records, STREAMING};
use netdoc::split::Segment;
use std::path::Path;

/// The records of a chunk as JSON values.
fn values(r: &Records) -> Vec<serde_json::Value> {
    let v = serde_json::to_value(r).unwrap();
    v["records"].as_array().cloned().unwrap_or_default()
}

#[test]
fn chunks_add_up_to_the_whole_parse() {
    let mut checked = 0;
    for kind in STREAMING {
        for file in common::files(kind) {
            let text = common::read(&format!("{kind}/{file}"));
            let seg = Segment::new(&text, 1);
            let whole = parse_as(kind, &seg).unwrap();
            let expected = values(&whole.records);
            for size in [1, 2, 7] {
                let mut got = Vec::new();
                let mut calls = 0;
                let s = parse_stream(kind, &seg, size, &mut |r| {
                    calls += 1;
                    // A chunk is handed on once it is over `size`, keeping its last
                    // record back: at most `size` then, `size + 1` at the end.
                    assert!(r.len() <= size + 1, "{kind}/{file}: chunk of {}", r.len());
                    got.extend(values(&r));
                })
                .unwrap();
                assert!(calls >= 1, "{kind}/{file}: the sink hears of every segment");
                assert_eq!(got, expected, "{kind}/{file} in chunks of {size}");
                assert_eq!(s.records, whole.records.len(), "{kind}/{file}");
                assert_eq!(s.problems, whole.problems, "{kind}/{file}");
                assert_eq!(s.status, whole.status, "{kind}/{file}");
                if expected.len() > size + 1 {
                    assert!(calls > 1, "{kind}/{file}: {size} per chunk came in one");
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 60,
        "only {checked} fixtures of the streaming kinds"
    );
}

/// A kind outside `STREAMING` is parsed whole and handed on in one call.
#[test]
fn other_kinds_come_in_one_chunk() {
    let text = common::read("ip-route/iproute2-4.15--old-spacing.txt");
    let seg = Segment::new(&text, 1);
    let mut calls = 0;
    let s = parse_stream("ip-route", &seg, 1, &mut |_| calls += 1).unwrap();
    assert_eq!(calls, 1);
    assert!(s.records > 1, "{s:?}");
    assert!(parse_stream("no-such-kind", &seg, 1, &mut |_| {}).is_none());
}

fn report_json(input: &str, chunk: usize) -> String {
    serde_json::to_string_pretty(&netdoc::diagnose_in_chunks(input, chunk)).unwrap()
}

/// Every scenario, every real corpus case and every fixture of a streaming kind gives
/// the same report when records come one at a time as when they come all at once:
/// pile-ups, folded conntrack tuples and kube-proxy's chains see the whole segment.
#[test]
fn the_report_does_not_depend_on_the_chunk_size() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut inputs: Vec<(String, String)> = Vec::new();
    for dir in [
        root.join("tests/scenarios"),
        root.join("../shared/corpus/real"),
    ] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path().join("input.txt");
            if p.exists() {
                inputs.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    for kind in STREAMING {
        for file in common::files(kind) {
            let rel = format!("{kind}/{file}");
            inputs.push((rel.clone(), common::read(&rel)));
        }
    }
    assert!(inputs.len() > 150, "{} inputs", inputs.len());
    let mut findings = 0;
    for (name, input) in &inputs {
        let whole = report_json(input, usize::MAX);
        assert_eq!(report_json(input, 1), whole, "{name}");
        assert_eq!(report_json(input, 3), whole, "{name}");
        findings += usize::from(whole.contains("\"id\""));
    }
    assert!(findings > 60, "only {findings} inputs gave findings");
}

/// Facts from `input` read as `kind`, its records handed on `size` at a time.
fn facts_in_chunks(input: &str, kind: &str, size: usize) -> netdoc::facts::Facts {
    let seg = Segment::new(input, 1);
    let mut b = netdoc::facts::Builder::default();
    b.begin(&seg, kind);
    parse_stream(kind, &seg, size, &mut |r| b.add_records(&seg, &r)).unwrap();
    b.end(&seg);
    b.finish()
}

fn signals<'f>(f: &'f netdoc::facts::Facts, signature: &str) -> Vec<&'f netdoc::facts::Signal> {
    f.signals
        .iter()
        .filter(|s| s.signature == signature)
        .collect()
}

/// An `ss` table: its header, then `row(i)` for `i` in `0..n`.
fn ss_table(n: usize, row: impl Fn(usize) -> String) -> String {
    let mut ss = String::from("State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n");
    for i in 0..n {
        ss.push_str(&row(i));
        ss.push('\n');
    }
    ss
}

/// Folds that span chunks: SYN-SENT sockets to one peer spread over many chunks are one
/// pile-up, and one conntrack tuple on many lines is one NATed flow with its count.
#[test]
fn folds_span_chunks() {
    let ss = ss_table(50, |i| {
        format!(
            "SYN-SENT 0 1 10.244.1.5:{} 10.96.0.10:53 users:((\"app\",pid=7,fd={i}))",
            40000 + i
        )
    });
    let f = facts_in_chunks(&ss, "ss", 4);
    let piles = signals(&f, "syn-sent-pileup");
    assert_eq!(piles.len(), 1, "{piles:?}");
    assert_eq!(piles[0].count, 50);
    assert_eq!(piles[0].lines.first(), Some(&2));

    let mut ct = String::new();
    for i in 0..30 {
        ct.push_str(&format!(
            "udp      17 29 src=10.244.1.5 dst=10.96.0.10 sport={} dport=53 src=10.244.0.4 dst=10.244.1.5 sport=53 dport={} mark=0 use=1\n",
            30000 + i,
            30000 + i
        ));
    }
    ct.push_str("cpu=0 found=0 invalid=0 insert=0 insert_failed=3 drop=3 early_drop=0 error=0 search_restart=0\n");
    ct.push_str("cpu=1 found=0 invalid=0 insert=0 insert_failed=2 drop=2 early_drop=0 error=0 search_restart=0\n");
    let f = facts_in_chunks(&ct, "conntrack", 4);
    assert_eq!(f.nat_flows.len(), 1, "{:?}", f.nat_flows);
    assert_eq!(f.nat_flows[0].count, 30);
    assert_eq!(f.nat_flows[0].line, 1);
    let drops = signals(&f, "conntrack-drops");
    assert_eq!(drops.len(), 1, "{drops:?}");
    assert_eq!(
        drops[0].fields.get("insert_failed").map(String::as_str),
        Some("5")
    );
    assert_eq!(drops[0].lines, vec![31, 32]);
}

/// `netdoc parse` writes while the parsers read; what it writes is the JSON of the
/// records kept whole (key order aside), for every fixture of every kind and every
/// scenario paste.
#[test]
fn written_parse_json_equals_the_whole_parse() {
    let mut n = 0;
    for info in netdoc::parse::ALL {
        for file in common::files(info.kind) {
            let text = common::read(&format!("{}/{file}", info.kind));
            let seg = Segment::new(&text, 1);
            let mut out = Vec::new();
            netdoc::parse::json::write_as(info.kind, &seg, &mut out).unwrap();
            let written: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let whole = serde_json::to_value(parse_as(info.kind, &seg)).unwrap();
            assert_eq!(written, whole, "{}/{file}", info.kind);
            n += 1;
        }
    }
    assert!(n > 500, "{n} fixtures");
    let mut out = Vec::new();
    netdoc::parse::json::write_as("no-such-kind", &Segment::new("x", 1), &mut out).unwrap();
    assert_eq!(out, b"null");

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path().join("input.txt");
        let Ok(input) = std::fs::read_to_string(&p) else {
            continue;
        };
        let mut out = Vec::new();
        netdoc::parse::json::write_all(&input, &mut out).unwrap();
        let written: serde_json::Value = serde_json::from_slice(&out).unwrap();
        // `parse_all` widens the f32 confidence to f64 (0.949999988…); written, it is 0.95.
        assert_eq!(
            rounded(written),
            rounded(netdoc::parse_all(&input)),
            "{}",
            p.display()
        );
    }
}

/// Every float rounded to 4 decimals.
fn rounded(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        V::Number(n) if n.is_f64() => n
            .as_f64()
            .map(|f| serde_json::json!((f * 1e4).round() / 1e4))
            .unwrap_or(V::Null),
        V::Array(a) => V::Array(a.into_iter().map(rounded).collect()),
        V::Object(o) => V::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        v => v,
    }
}

/// A line that adds to the record above it (`ss -p`'s process wrapped onto its own line)
/// finds that record even at a chunk boundary: the last record waits for the next line.
#[test]
fn a_continuation_line_reaches_its_record_across_chunks() {
    let ss = ss_table(10, |i| {
        format!(
            "ESTAB 0 0 10.244.1.5:{} 10.96.0.10:53\n\t users:((\"app{i}\",pid={i},fd=3))",
            40000 + i
        )
    });
    let seg = Segment::new(&ss, 1);
    for size in [1, 2, 3] {
        let mut programs = Vec::new();
        parse_stream("ss", &seg, size, &mut |r| {
            for v in values(&r) {
                programs.push(v["program"].as_str().unwrap_or("").to_string());
            }
        })
        .unwrap();
        let want: Vec<String> = (0..10).map(|i| format!("app{i}")).collect();
        assert_eq!(programs, want, "chunks of {size}");
    }
}
