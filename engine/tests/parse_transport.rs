//! Transport parsers (curl, wget, nc, telnet, net-errors, ss, netstat) over every fixture
//! in `tests/fixtures/<kind>/`, snapshotted, plus explicit checks of the key facts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::probe::{Outcome, Probe};
use netdoc::parse::{parse_as, Parsed, Records, Status};
use netdoc::split::Segment;
use std::path::Path;

const KINDS: &[&str] = &[
    "curl",
    "wget",
    "nc",
    "telnet",
    "net-errors",
    "ss",
    "netstat",
];

/// Fixtures whose meaning depends on the command line that produced them.
const COMMANDS: &[(&str, &str)] = &[
    (
        "telnet/netkit-0.17--refused-real.txt",
        "telnet  10.101.33.59 6379",
    ),
    (
        "curl/curl-8.5--body-only.txt",
        "kubectl exec -n shop web-0 -- curl -sS http://backend.broken-net:80/",
    ),
    ("curl/curl-7.68--verbose-503.txt", "curl -v http://backend/"),
    (
        "curl/curl-8.5--verbose-200.txt",
        "curl -vI http://backend.shop.svc.cluster.local:8080/healthz",
    ),
    ("nc/busybox-1.36--refused.txt", "nc -zv -w 3 10.96.12.7 80"),
    ("nc/ncat-7.92--refused.txt", "ncat -v backend 80"),
    ("nc/ncat-7.92--timeout.txt", "ncat -v -w 3 backend 80"),
    ("wget/busybox-1.36--ok.txt", "wget -O- http://backend:8080/"),
    (
        "curl/curl-8.5--write-out-503.txt",
        "curl -s -o /dev/null -w '%{http_code}' http://backend/",
    ),
    (
        "curl/curl-8.5--write-out-000.txt",
        "curl -s -o /dev/null -w '%{http_code}' http://backend/",
    ),
    (
        "wget/gnu-1.21--server-response-503.txt",
        "wget -S -O /dev/null http://backend:8080/healthz",
    ),
];

fn run(kind: &str, rel: &str) -> Parsed {
    common::run_with(kind, rel, COMMANDS)
}

fn probes(p: &Parsed) -> &[Probe] {
    match &p.records {
        Records::Curl(r)
        | Records::Wget(r)
        | Records::Nc(r)
        | Records::Telnet(r)
        | Records::NetErrors(r) => r,
        _ => panic!("not a probe kind"),
    }
}

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let dir = fixtures_dir().join(kind);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|f| f.ends_with(".txt"))
            .collect();
        files.sort();
        assert!(
            files.iter().any(|f| f.ends_with("--empty.txt")),
            "{kind} needs an empty fixture"
        );
        for f in files {
            let rel = format!("{kind}/{f}");
            let parsed = run(kind, &rel);
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen > 60, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

#[test]
fn telnet_real_paste() {
    let p = run("telnet", "telnet/netkit-0.17--refused-real.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &probes(&p)[0];
    assert_eq!(r.line, 3);
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.host.as_deref(), Some("10.101.33.59"));
    assert_eq!(r.ip, Some("10.101.33.59".parse().unwrap()));
    assert_eq!(r.port, Some(6379));
}

#[test]
fn curl_outcomes() {
    let one = |rel: &str| probes(&run("curl", rel))[0].clone();
    let r = one("curl/curl-7.68--refused.txt");
    assert_eq!(
        (r.outcome, r.exit_code, r.host.as_deref(), r.port),
        (Outcome::Refused, Some(7), Some("backend"), Some(80))
    );
    // 8.x `Couldn't connect to server` is not certain to be a refusal…
    assert_eq!(
        one("curl/curl-8.5--couldnt-connect.txt").outcome,
        Outcome::Other
    );
    // …unless a -v line says so.
    let p = run("curl", "curl/curl-8.5--verbose-refused.txt");
    assert_eq!(probes(&p).len(), 1);
    let r = &probes(&p)[0];
    assert_eq!(
        (r.line, r.outcome, r.ip),
        (8, Outcome::Refused, Some("10.96.0.5".parse().unwrap()))
    );
    let r = one("curl/curl-7.68--verbose-503.txt");
    assert_eq!(
        (r.outcome, r.http_status, r.port),
        (Outcome::HttpStatus, Some(503), Some(80))
    );
    assert_eq!(r.ip, Some("10.96.12.7".parse().unwrap()));
    assert_eq!(one("curl/curl-7.68--timeout.txt").outcome, Outcome::Timeout);
    assert_eq!(one("curl/curl-8.5--timeout.txt").outcome, Outcome::Timeout);
    let r = one("curl/curl-7.68--resolve.txt");
    assert_eq!(
        (r.outcome, r.host.as_deref()),
        (Outcome::NameNotResolved, Some("backend"))
    );
    assert_eq!(one("curl/curl-7.68--reset.txt").outcome, Outcome::Reset);
    assert_eq!(
        one("curl/curl-7.68--empty-reply.txt").outcome,
        Outcome::EmptyReply
    );
    assert_eq!(one("curl/curl-8.5--tls.txt").outcome, Outcome::TlsError);
    let r = one("curl/curl-7.68--fail-22.txt");
    assert_eq!((r.outcome, r.http_status), (Outcome::HttpStatus, Some(503)));
    let r = one("curl/curl-7.68--progress-refused.txt");
    assert_eq!(
        (r.line, r.outcome, r.port),
        (3, Outcome::Refused, Some(8080))
    );
    assert_eq!(one("curl/curl-8.5--sv-no-S.txt").outcome, Outcome::NoRoute);
    let r = one("curl/curl-8.5--body-only.txt");
    assert_eq!(
        (r.outcome, r.host.as_deref(), r.port),
        (Outcome::Connected, Some("backend.broken-net"), Some(80))
    );
    let r = one("curl/curl-8.5--write-out-503.txt");
    assert_eq!(
        (r.outcome, r.http_status, r.port),
        (Outcome::HttpStatus, Some(503), Some(80))
    );
    let r = one("curl/curl-8.5--write-out-000.txt");
    assert_eq!((r.outcome, r.http_status), (Outcome::Other, None));
    let p = run("curl", "curl/curl-8.5--verbose-200.txt");
    assert_eq!(
        probes(&p).len(),
        1,
        "-vI prints the status twice; one outcome"
    );
    assert_eq!(probes(&p)[0].http_status, Some(200));
}

#[test]
fn curl_truncated_is_a_problem() {
    let p = run("curl", "curl/curl-8.5--truncated.txt");
    assert!(probes(&p).is_empty());
    let lines: Vec<usize> = p.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![2, 1]);
    // Without a command line a bare body is not evidence of anything.
    let seg = Segment::new("<html>hi</html>", 1);
    assert_eq!(parse_as("curl", &seg).unwrap().status, Status::Error);
}

#[test]
fn wget_outcomes() {
    let first = |rel: &str| probes(&run("wget", rel))[0].clone();
    let r = first("wget/gnu-1.21--refused.txt");
    assert_eq!((r.line, r.outcome, r.port), (3, Outcome::Refused, Some(80)));
    assert_eq!(r.url.as_deref(), Some("http://backend/"));
    let r = first("wget/gnu-1.21--503.txt");
    assert_eq!(
        (r.outcome, r.http_status, r.port),
        (Outcome::HttpStatus, Some(503), Some(8080))
    );
    let p = run("wget", "wget/gnu-1.21--nxdomain.txt");
    assert_eq!(probes(&p).len(), 1);
    assert_eq!(probes(&p)[0].outcome, Outcome::NameNotResolved);
    assert_eq!(
        probes(&run("wget", "wget/gnu-1.21--timeout-retry.txt")).len(),
        2
    );
    assert_eq!(first("wget/gnu-1.21--reset.txt").outcome, Outcome::Reset);
    let r = first("wget/busybox-1.36--refused.txt");
    assert_eq!(
        (r.outcome, r.ip),
        (Outcome::Refused, Some("10.96.12.7".parse().unwrap()))
    );
    assert_eq!(
        first("wget/busybox-1.36--bad-address.txt").outcome,
        Outcome::NameNotResolved
    );
    assert_eq!(
        first("wget/busybox-1.36--timeout.txt").outcome,
        Outcome::Timeout
    );
    assert_eq!(first("wget/busybox-1.36--503.txt").http_status, Some(503));
    assert_eq!(
        first("wget/busybox-1.36--ok.txt").outcome,
        Outcome::Connected
    );
    let r = first("wget/gnu-1.21--server-response-503.txt");
    assert_eq!(
        (r.line, r.outcome, r.http_status),
        (6, Outcome::HttpStatus, Some(503))
    );
    let p = run("wget", "wget/gnu-1.21--truncated.txt");
    assert_eq!(
        p.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![3]
    );
}

#[test]
fn nc_and_telnet_outcomes() {
    let first = |kind: &str, rel: &str| probes(&run(kind, rel))[0].clone();
    let r = first("nc", "nc/openbsd-1.218--refused.txt");
    assert_eq!(
        (r.outcome, r.port, r.ip),
        (
            Outcome::Refused,
            Some(80),
            Some("10.96.12.7".parse().unwrap())
        )
    );
    assert_eq!(
        first("nc", "nc/openbsd-1.218--succeeded.txt").outcome,
        Outcome::Connected
    );
    assert_eq!(
        first("nc", "nc/openbsd-1.218--timeout.txt").outcome,
        Outcome::Timeout
    );
    assert_eq!(
        first("nc", "nc/openbsd-1.218--getaddrinfo.txt").outcome,
        Outcome::NameNotResolved
    );
    assert_eq!(
        first("nc", "nc/busybox-1.36--refused.txt").outcome,
        Outcome::Refused
    );
    assert_eq!(
        first("nc", "nc/busybox-1.36--open.txt").outcome,
        Outcome::Connected
    );
    let r = first("nc", "nc/ncat-7.92--refused.txt");
    assert_eq!(
        (r.tool.as_str(), r.outcome, r.host.as_deref(), r.port),
        ("ncat", Outcome::Refused, Some("backend"), Some(80))
    );
    assert_eq!(
        first("nc", "nc/ncat-7.92--timeout.txt").outcome,
        Outcome::Timeout
    );
    assert_eq!(
        first("nc", "nc/traditional-1.10--refused.txt").outcome,
        Outcome::Refused
    );
    let p = run("nc", "nc/openbsd-1.218--garbled.txt");
    assert_eq!((p.status, p.problems[0].line), (Status::Partial, 1));

    let p = run("telnet", "telnet/netkit-0.17--multi-address.txt");
    assert_eq!(
        probes(&p).len(),
        2,
        "the summary line repeats the last address failure"
    );
    assert_eq!(
        first("telnet", "telnet/netkit-0.17--connected.txt").outcome,
        Outcome::Connected
    );
    assert_eq!(
        first("telnet", "telnet/bsd--timeout-no-reason.txt").outcome,
        Outcome::Timeout
    );
    assert_eq!(
        probes(&run("telnet", "telnet/bsd--timeout-no-reason.txt")).len(),
        1
    );
    let p = run("telnet", "telnet/netkit-0.17--truncated.txt");
    assert_eq!(
        p.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![2, 1]
    );
}

#[test]
fn net_errors_outcomes() {
    let first = |rel: &str| probes(&run("net-errors", rel))[0].clone();
    let r = first("net-errors/kubeadm-issue--server-misbehaving.txt");
    assert_eq!(r.outcome, Outcome::NameNotResolved);
    assert_eq!(
        (
            r.lookup_name.as_deref(),
            r.dns_server.as_deref(),
            r.dns_error.as_deref()
        ),
        (
            Some("kubernetes"),
            Some("100.64.0.10:53"),
            Some("server misbehaving")
        )
    );
    let p = run("net-errors", "net-errors/client-go--klog-timeout.txt");
    assert_eq!((p.status, probes(&p).len()), (Status::Parsed, 2));
    assert_eq!(probes(&p)[0].ip, Some("10.96.0.1".parse().unwrap()));
    assert_eq!(
        first("net-errors/kubelet--probe-refused.txt").outcome,
        Outcome::Refused
    );
    let r = first("net-errors/client-go--reset.txt");
    assert_eq!(
        (r.outcome, r.ip, r.port),
        (
            Outcome::Reset,
            Some("10.96.0.1".parse().unwrap()),
            Some(443)
        )
    );
    let r = first("net-errors/go--nxdomain.txt");
    assert_eq!(
        (r.outcome, r.dns_error.as_deref()),
        (Outcome::NameNotResolved, Some("no such host"))
    );
    assert_eq!(
        first("net-errors/go--no-route.txt").outcome,
        Outcome::NoRoute
    );
    assert_eq!(
        first("net-errors/go--client-timeout.txt").outcome,
        Outcome::Timeout
    );
    let r = first("net-errors/logrus--json-escaped.txt");
    assert_eq!(
        (r.outcome, r.lookup_name.as_deref()),
        (Outcome::NameNotResolved, Some("github.com"))
    );
    let p = run("net-errors", "net-errors/kubectl--unable-to-connect.txt");
    let outcomes: Vec<Outcome> = probes(&p).iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            Outcome::Timeout,
            Outcome::Refused,
            Outcome::Timeout,
            Outcome::TlsError
        ]
    );
    let p = run("net-errors", "net-errors/client-go--truncated.txt");
    assert_eq!((p.status, p.problems[0].line), (Status::Error, 1));
    let p = run("net-errors", "net-errors/not-errors--garbled.txt");
    assert_eq!(
        p.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![1, 2]
    );
}

#[test]
fn ss_and_netstat_facts() {
    let p = run("ss", "ss/iproute2-6.1--tulnp.txt");
    assert_eq!(p.status, Status::Parsed);
    let Records::Ss(rs) = &p.records else {
        panic!()
    };
    assert_eq!(rs.len(), 7);
    assert_eq!(
        (
            rs[0].local_address.as_str(),
            rs[0].interface.as_deref(),
            rs[0].local_port
        ),
        ("127.0.0.53", Some("lo"), Some(53))
    );
    assert_eq!(
        (rs[3].program.as_deref(), rs[3].pid),
        (Some("nginx"), Some(901))
    );
    assert_eq!(
        (rs[4].local_address.as_str(), rs[4].local_port),
        ("::ffff:127.0.0.1", Some(9090))
    );
    assert_eq!((rs[5].local_address.as_str(), rs[5].peer_port), ("*", None));
    let p = run("ss", "ss/iproute2-6.1--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(
        p.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![3, 4]
    );
    let p = run("ss", "ss/iproute2-6.1--summary.txt");
    assert_eq!((p.records.len(), p.problems.len()), (0, 0));

    let p = run("netstat", "netstat/net-tools-2.10--tulnp.txt");
    let Records::Netstat(rs) = &p.records else {
        panic!()
    };
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (rs[2].proto.as_str(), rs[2].state.as_deref(), rs[2].pid),
        ("udp", None, Some(601))
    );
    assert_eq!((rs[3].pid, rs[3].program_name.as_deref()), (None, None));
    assert_eq!(
        (rs[1].local_address.as_str(), rs[1].local_port),
        ("::", Some(9100))
    );
    let p = run("netstat", "netstat/net-tools-2.10--garbled.txt");
    assert_eq!(
        p.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![4, 5]
    );
}

#[test]
fn sniffers_do_not_claim_each_other() {
    use netdoc::parse::registry::info;
    for kind in KINDS {
        let dir = fixtures_dir().join(kind);
        for e in std::fs::read_dir(&dir).unwrap() {
            let f = e.unwrap().file_name().to_string_lossy().to_string();
            if !f.ends_with(".txt")
                || f.contains("--empty")
                || f.contains("garbled")
                || f.contains("truncated")
                || f.contains("body-only")
                || f.contains("write-out")
            {
                continue;
            }
            let text = read(&format!("{kind}/{f}"));
            let head = netdoc::split::head(&text, 40);
            let mine = (info(kind).unwrap().sniff)(head).unwrap_or(0.0);
            assert!(mine > 0.0, "{kind}/{f}: own sniffer says no");
            for other in netdoc::parse::ALL.iter().filter(|p| p.kind != *kind) {
                let theirs = (other.sniff)(head).unwrap_or(0.0);
                let other = other.kind;
                assert!(
                    theirs < mine,
                    "{kind}/{f}: {other} sniffs {theirs} >= {mine}"
                );
            }
        }
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "Get \"".repeat(20_000);
    let junk = "\u{0}\u{feff}curl: (999) \r\n* Trying [::::]:99999...\n< HTTP/9 9999\nConnecting to (|)|:...\n";
    for kind in KINDS {
        for text in [
            long.as_str(),
            junk,
            ":::::\n\t\t\n%%%%",
            "LISTEN 0 0 : :\ntcp 99999999999999999999999 0 a b",
        ] {
            let _ = parse_as(kind, &Segment::new(text, 1)).unwrap();
        }
    }
}

/// The real pastes of the shared corpus that carry transport output: split, detect, parse.
/// Skipped when the corpus is not beside the project.
#[test]
fn real_corpus_pastes() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    if !corpus.is_dir() {
        return;
    }
    let outcomes = |case: &str| -> Vec<(String, usize, Outcome)> {
        let text = std::fs::read_to_string(corpus.join(case).join("input.txt")).unwrap();
        let mut found = Vec::new();
        for seg in netdoc::split::split(&text, &netdoc::detect::sniff_kind) {
            let Some(kind) = netdoc::detect::detect(&seg).kind else {
                continue;
            };
            if !KINDS.contains(&kind) {
                continue;
            }
            let p = parse_as(kind, &seg).unwrap();
            assert!(p.problems.is_empty(), "{case}: {kind}: {:?}", p.problems);
            match &p.records {
                Records::Ss(r) => {
                    found.extend(r.iter().map(|r| (kind.to_string(), r.line, Outcome::Other)))
                }
                Records::Netstat(r) => {
                    found.extend(r.iter().map(|r| (kind.to_string(), r.line, Outcome::Other)))
                }
                _ => found.extend(
                    probes(&p)
                        .iter()
                        .map(|r| (kind.to_string(), r.line, r.outcome)),
                ),
            }
        }
        found
    };
    let o = outcomes("06-hairpin-kube-router-cni-hairpinmode");
    assert_eq!(
        o,
        vec![
            ("curl".into(), 6, Outcome::Connected),
            ("curl".into(), 9, Outcome::Timeout)
        ]
    );
    let o = outcomes("14-target-port-mismatch-redis-operator");
    assert_eq!(o, vec![("telnet".into(), 9, Outcome::Refused)]);
    let o = outcomes("28-kube-system-short-name-kubernetes");
    assert_eq!(o, vec![("net-errors".into(), 1, Outcome::NameNotResolved)]);
    let o = outcomes("30-pod-subnet-contains-node-ip");
    assert_eq!(o, vec![("curl".into(), 2, Outcome::Timeout)]);
    let o = outcomes("32-kubelet-bound-to-localhost-logs-refused");
    assert_eq!(o.first(), Some(&("net-errors".into(), 2, Outcome::Refused)));
    assert_eq!(o.iter().filter(|(k, _, _)| k == "netstat").count(), 6);
}

/// Big node dumps from `../shared/bench/gen.py`: `NETDOC_BENCH_DIR=/tmp/bench/large cargo
/// test --release -p netdoc-engine --test parse_transport -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_ss_dumps() {
    let Ok(dir) = std::env::var("NETDOC_BENCH_DIR") else {
        return;
    };
    for file in ["ss.txt", "ss-tuanp.txt"] {
        let text = std::fs::read_to_string(Path::new(&dir).join(file)).unwrap();
        let start = std::time::Instant::now();
        let p = parse_as("ss", &Segment::new(&text, 1)).unwrap();
        eprintln!(
            "{file}: {} MB, {} records, {} problems in {:?}",
            text.len() / 1_000_000,
            p.records.len(),
            p.problems.len(),
            start.elapsed()
        );
        assert!(
            p.problems.is_empty(),
            "{:?}",
            &p.problems[..p.problems.len().min(5)]
        );
    }
}
