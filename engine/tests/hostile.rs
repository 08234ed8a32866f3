//! Every input is hostile: the whole pipeline must not panic on anything, and must
//! account for what it could not read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

/// Fragments real pastes are made of, to shake the parsers harder than random bytes.
const FRAGMENTS: &[&str] = &[
    "$ kubectl get svc -A -o wide\n",
    "NAME  TYPE  CLUSTER-IP  EXTERNAL-IP  PORT(S)  AGE  SELECTOR\n",
    "backend ClusterIP 10.96.0.1 <none> 80:30080/TCP 1d app=x\n",
    "NAMESPACE NAME READY STATUS RESTARTS AGE\n",
    "apiVersion: v1\nkind: Service\n",
    "spec:\n  selector:\n    app: x\n",
    "---\n",
    "{\"kind\": \"List\", \"items\": [\n",
    "search a.svc.cluster.local\n",
    "nameserver 10.96.0.10\n",
    "options ndots:5\n",
    "; <<>> DiG 9.18 <<>> x\n",
    ";; ANSWER SECTION:\n",
    "x. 5 IN A 1.2.3.4\n",
    "Server:\t\t10.96.0.10\n",
    "** server can't find x: NXDOMAIN\n",
    "curl: (7) Failed to connect to x port 80: Connection refused\n",
    "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n",
    "LISTEN 0 128 127.0.0.1:80 0.0.0.0:*\n",
    "root@node:~# ",
    "<img src=x onerror=alert(1)>\n",
    "\u{0}\u{ff}\r\n",
    "\t\t\t\n",
    "Port: http 80/TCP\nTargetPort: 8080/TCP\n",
    "Endpoints: <none>\n",
    "Name: x\nNamespace: y\n",
    "dial tcp: lookup kubernetes on 10.0.0.10:53: server misbehaving\n",
    "999.999.1.1:99999\n",
    ":::::::\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in ".{0,400}") {
        let _ = netdoc::diagnose(&s);
    }

    #[test]
    fn shuffled_real_fragments_never_panic(parts in proptest::collection::vec(0..FRAGMENTS.len(), 0..40)) {
        let input: String = parts.iter().map(|i| FRAGMENTS[*i]).collect();
        let report = netdoc::diagnose(&input);
        let n = input.lines().count();
        for f in &report.findings {
            for e in &f.evidence {
                prop_assert!(e.line <= n, "evidence line {} beyond input", e.line);
            }
        }
        let md = netdoc::render_markdown(&report);
        prop_assert!(!md.is_empty());
    }
}

#[test]
fn a_big_paste_is_read_in_one_pass() {
    // 200k lines of a table: must finish (no quadratic work) and count every row.
    let mut s = String::from(
        "$ kubectl get pods -A\nNAMESPACE   NAME   READY   STATUS    RESTARTS   AGE\n",
    );
    for i in 0..200_000 {
        s.push_str(&format!(
            "ns{}   pod-{i}   1/1   Running   0   1d\n",
            i % 50
        ));
    }
    let report = netdoc::diagnose(&s);
    assert_eq!(report.segments.len(), 1);
    assert_eq!(report.segments[0].lines, [1, 200_002]);
}

#[test]
fn unrecognized_text_is_reported_not_dropped() {
    let report = netdoc::diagnose("lorem ipsum dolor\nsit amet\n");
    assert_eq!(report.segments.len(), 1);
    assert_eq!(report.segments[0].status, "unrecognized");
    assert_eq!(report.segments[0].lines, [1, 2]);
}

/// Every fixture of every kind, fed to every parser (not only its own), and the whole
/// pipeline: no parser panics on another tool's output, and each says what it could not
/// read instead of dropping it silently.
#[test]
fn every_parser_reads_every_fixture_without_panicking() {
    use netdoc::parse::registry::ALL;
    use netdoc::split::Segment;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut texts = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "txt") {
                texts.push(std::fs::read_to_string(&f).unwrap_or_default());
            }
        }
    }
    assert!(texts.len() > 400, "{} fixtures", texts.len());
    for text in &texts {
        let seg = Segment::new(text, 1);
        for p in ALL {
            let _ = netdoc::parse::parse_as(p.kind, &seg).unwrap();
        }
        let _ = netdoc::diagnose(text);
    }
    // Text that is plainly nobody's output, given to each parser as if it were its own:
    // every parser says which lines it could not read (nothing is dropped silently).
    let garbage = "lorem ipsum dolor sit amet\n<script>alert(1)</script>\n%%%% 12 ## zz\n";
    let seg = Segment::new(garbage, 1);
    let mut silent = Vec::new();
    for p in ALL {
        let parsed = netdoc::parse::parse_as(p.kind, &seg).unwrap();
        if parsed.problems.is_empty() {
            silent.push(p.kind);
        }
    }
    // `-o jsonpath` prints whatever values the template selects: any text is a value.
    assert_eq!(silent, ["kubectl-jsonpath"], "read garbage without a word");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Real fixtures cut at any point and with lines dropped or repeated: what half a
    /// table or a paste cut short looks like.
    #[test]
    fn damaged_fixtures_never_panic(pick in 0usize..10_000, cut in 0usize..4_000, drop in 0usize..50, dup in 0usize..50) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut files: Vec<_> = std::fs::read_dir(&root).unwrap()
            .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        let text = std::fs::read_to_string(&files[pick % files.len()]).unwrap_or_default();
        let mut end = cut.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut lines: Vec<&str> = text[..end].lines().collect();
        if !lines.is_empty() {
            let i = drop % lines.len();
            lines.remove(i);
        }
        if !lines.is_empty() {
            let j = dup % lines.len();
            let l = lines[j];
            lines.insert(j, l);
        }
        let damaged = lines.join("\n");
        let seg = netdoc::split::Segment::new(&damaged, 1);
        for p in netdoc::parse::registry::ALL {
            let _ = netdoc::parse::parse_as(p.kind, &seg);
        }
        let _ = netdoc::diagnose(&damaged);
    }
}
