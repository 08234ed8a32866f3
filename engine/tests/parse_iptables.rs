//! iptables parsers (iptables-save, iptables-list, iptables-version) over every fixture in
//! `tests/fixtures/<kind>/`, snapshotted, plus the key facts of each fixture, detection by
//! content and by command line, the iptables segments of the real corpus cases and the
//! bench generator's medium dump.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::iptables_save::{self, Record as SaveRecord, RuleSpec};
use netdoc::parse::{iptables_list, iptables_version, parse_as, Parsed, Records, Status};
use netdoc::split::Segment;
use std::path::Path;

const KINDS: &[&str] = &["iptables-save", "iptables-list", "iptables-version"];

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

fn save(rel: &str) -> (Vec<SaveRecord>, Parsed) {
    let p = run("iptables-save", &format!("iptables-save/{rel}"));
    match &p.records {
        Records::IptablesSave(r) => (r.clone(), p),
        _ => panic!("not iptables-save"),
    }
}

fn rules_of(recs: &[SaveRecord]) -> Vec<&RuleSpec> {
    recs.iter()
        .filter_map(|r| match r {
            SaveRecord::Rule(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn list(rel: &str) -> (Vec<iptables_list::Record>, Parsed) {
    let p = run("iptables-list", &format!("iptables-list/{rel}"));
    match &p.records {
        Records::IptablesList(r) => (r.clone(), p),
        _ => panic!("not iptables-list"),
    }
}

fn version(rel: &str) -> (Vec<iptables_version::Record>, Parsed) {
    let p = run("iptables-version", &format!("iptables-version/{rel}"));
    match &p.records {
        Records::IptablesVersion(r) => (r.clone(), p),
        _ => panic!("not iptables-version"),
    }
}

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let files = files(kind);
        assert!(
            files.iter().any(|f| f.ends_with("--empty.txt")),
            "{kind} needs an empty fixture"
        );
        assert!(
            files.iter().any(|f| f.ends_with("--garbled.txt")),
            "{kind} needs a garbled fixture"
        );
        if *kind == "iptables-version" {
            assert!(files.len() >= 4, "{kind}: only {} fixtures", files.len());
        } else {
            assert!(
                files.iter().any(|f| f.ends_with("--truncated.txt")),
                "{kind} needs a truncated fixture"
            );
            assert!(files.len() >= 6, "{kind}: only {} fixtures", files.len());
        }
        for f in files {
            let parsed = run(kind, &format!("{kind}/{f}"));
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 16, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- iptables-save

#[test]
fn save_kube_proxy_nat() {
    let (recs, p) = save("iptables-1.8.7--kube-proxy-nat.txt");
    assert_eq!(p.status, Status::Parsed);
    let SaveRecord::Header(h) = &recs[0] else {
        panic!("no header first")
    };
    assert_eq!(
        (h.tool.as_str(), h.version.as_str(), h.backend.as_str()),
        ("iptables-save", "1.8.7", "legacy")
    );
    assert!(!h.explicit);
    let chains: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            SaveRecord::Chain(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(chains.len(), 17);
    assert_eq!(chains[0].chain, "PREROUTING");
    assert_eq!(chains[0].policy.as_deref(), Some("ACCEPT"));
    assert_eq!((chains[0].packets, chains[0].bytes), (Some(12), Some(720)));
    assert_eq!(chains[4].policy, None);
    assert!(chains.iter().all(|c| c.table == "nat"));
    let rules = rules_of(&recs);
    assert_eq!(rules.len(), 30);
    assert!(rules.iter().all(|r| r.table == "nat"));
    // The DNS cluster-IP rule of KUBE-SERVICES.
    let dns = rules
        .iter()
        .find(|r| r.chain == "KUBE-SERVICES" && r.dport.as_deref() == Some("53"))
        .unwrap();
    assert_eq!(dns.destination.as_deref(), Some("10.96.0.10/32"));
    assert_eq!(dns.protocol.as_deref(), Some("udp"));
    assert_eq!(
        dns.comment.as_deref(),
        Some("kube-system/kube-dns:dns cluster IP")
    );
    assert_eq!(dns.jump.as_deref(), Some("KUBE-SVC-TCOU7JCQXEZGVUNU"));
    assert_eq!(dns.matches, vec!["comment", "udp"]);
    // Masquerade of off-cluster sources: `! -s`.
    let masq = rules
        .iter()
        .find(|r| r.chain == "KUBE-SVC-TCOU7JCQXEZGVUNU" && r.negate_source)
        .unwrap();
    assert_eq!(masq.source.as_deref(), Some("10.244.0.0/16"));
    assert_eq!(masq.jump.as_deref(), Some("KUBE-MARK-MASQ"));
    // The endpoint pick and its DNAT.
    let pick = rules.iter().find(|r| r.probability.is_some()).unwrap();
    assert_eq!(pick.probability.as_deref(), Some("0.50000000000"));
    assert_eq!(pick.matches, vec!["comment", "statistic"]);
    let dnat: Vec<_> = rules
        .iter()
        .filter_map(|r| r.to_destination.as_deref())
        .collect();
    assert_eq!(
        dnat,
        vec![
            "10.244.0.2:53",
            "10.244.0.3:53",
            "192.168.1.10:6443",
            "10.244.1.5:80"
        ]
    );
    let nodeports = rules
        .iter()
        .find(|r| r.jump.as_deref() == Some("KUBE-NODEPORTS"))
        .unwrap();
    assert_eq!(nodeports.dst_type.as_deref(), Some("LOCAL"));
    assert!(rules.iter().any(|r| r.chain.starts_with("KUBE-EXT-")
        && r.jump
            .as_deref()
            .is_some_and(|j| j.starts_with("KUBE-SVL-"))));
}

#[test]
fn save_numeric_protocols_and_backends() {
    let (recs, p) = save("iptables-1.8.9--numeric-proto.txt");
    assert_eq!(p.status, Status::Parsed);
    let SaveRecord::Header(h) = &recs[0] else {
        panic!("no header")
    };
    assert_eq!(
        (
            h.tool.as_str(),
            h.version.as_str(),
            h.backend.as_str(),
            h.explicit
        ),
        ("iptables-nft-save", "1.8.9", "nf_tables", true)
    );
    let rules = rules_of(&recs);
    let protos: Vec<_> = rules.iter().filter_map(|r| r.protocol.as_deref()).collect();
    assert_eq!(protos, vec!["tcp", "tcp", "udp"]);
    assert!(rules.iter().all(|r| r.table == "filter"));
    let drop = rules
        .iter()
        .find(|r| r.chain == "KUBE-EXTERNAL-SERVICES")
        .unwrap();
    assert_eq!(
        drop.comment.as_deref(),
        Some("default/nginx-ext has no local endpoints")
    );
    assert_eq!(drop.jump.as_deref(), Some("DROP"));
    assert_eq!(drop.dport.as_deref(), Some("32204"));

    let (recs, p) = save("iptables-1.8.4--legacy-warning.txt");
    assert_eq!(p.status, Status::Parsed);
    let SaveRecord::Warning(w) = &recs[0] else {
        panic!("no warning first")
    };
    assert_eq!(w.line, 1);
    assert!(w.message.contains("iptables-legacy tables present"));
    let headers: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            SaveRecord::Header(h) => Some((h.line, h.backend.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(headers, vec![(2, "nf_tables"), (15, "nf_tables")]);
    let tables: Vec<_> = rules_of(&recs).iter().map(|r| r.table.clone()).collect();
    assert_eq!(tables, vec!["nat", "nat", "nat", "nat", "filter", "filter"]);
    let masq = rules_of(&recs)
        .into_iter()
        .find(|r| r.jump.as_deref() == Some("MASQUERADE"))
        .cloned()
        .unwrap();
    assert_eq!(masq.out_interface.as_deref(), Some("docker0"));
    assert_eq!(masq.source.as_deref(), Some("172.17.0.0/16"));

    let (recs, p) = save("ip6tables-1.8.7--ipv6-nat.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = rules_of(&recs);
    assert_eq!(r[1].destination.as_deref(), Some("fd00:10:96::a/128"));
    assert!(r[2].negate_source);

    let (recs, p) = save("iptables-1.6.1--counters.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = rules_of(&recs);
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].chain, "INPUT");
    assert_eq!(r[1].jump.as_deref(), Some("DROP"));
}

#[test]
fn save_bare_grep_lines() {
    let (recs, p) = save("kube-proxy-1.19--xlb-no-local-endpoints.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = rules_of(&recs);
    assert_eq!(r.len(), 8);
    assert!(r.iter().all(|r| r.table == "unknown"));
    let xlb = r.last().unwrap();
    assert_eq!(xlb.chain, "KUBE-XLB-ICKQE4PTG2WGVXBF");
    assert_eq!(
        xlb.comment.as_deref(),
        Some("default/nginx-ext: has no local endpoints")
    );
    assert_eq!(xlb.jump.as_deref(), Some("KUBE-MARK-DROP"));
    // With the command line, the table comes from `-t`.
    let text = read("iptables-save/kube-proxy-1.19--xlb-no-local-endpoints.txt");
    let seg = Segment::with_command(&text, 2, "iptables-save -t nat | grep nginx");
    let out = iptables_save::parse(&seg);
    assert!(out.records.iter().all(|r| match r {
        SaveRecord::Rule(r) => r.table == "nat",
        _ => false,
    }));
    assert_eq!(out.records[0].line(), 2);
}

#[test]
fn save_broken() {
    let (recs, p) = save("iptables-1.8.7--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![31]);
    assert!(p.problems[0].message.contains("unclosed quote"));
    assert_eq!(rules_of(&recs).len(), 11);
    let (recs, p) = save("iptables-1.8.7--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![4, 6, 7]);
    assert_eq!(rules_of(&recs).len(), 1);
}

// ---------------------------------------------------------------- iptables-list

#[test]
fn list_nat_n() {
    let (recs, p) = list("iptables-1.8.7--nat-n.txt");
    assert_eq!(p.status, Status::Parsed);
    let names: Vec<_> = recs.iter().map(|c| c.chain.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "PREROUTING",
            "INPUT",
            "OUTPUT",
            "KUBE-MARK-MASQ",
            "KUBE-SERVICES",
            "KUBE-SVC-TCOU7JCQXEZGVUNU",
            "KUBE-SEP-YIL6JZP7A3QYXJU2"
        ]
    );
    assert_eq!(recs[0].default_policy.as_deref(), Some("ACCEPT"));
    assert_eq!(recs[0].references, None);
    assert_eq!(recs[1].rules.len(), 0);
    assert_eq!(recs[3].references, Some(4));
    let svc = &recs[4];
    assert_eq!(svc.rules.len(), 3);
    let dns = &svc.rules[0];
    assert_eq!(dns.line, 18);
    assert_eq!(dns.target.as_deref(), Some("KUBE-SVC-TCOU7JCQXEZGVUNU"));
    assert_eq!((dns.prot.as_str(), dns.opt.as_deref()), ("udp", None));
    assert_eq!(
        (dns.source.as_str(), dns.destination.as_str()),
        ("0.0.0.0/0", "10.96.0.10")
    );
    assert_eq!(
        dns.options.as_deref(),
        Some("/* kube-system/kube-dns:dns cluster IP */ udp dpt:53")
    );
    assert_eq!(recs[5].rules[0].source, "!10.244.0.0/16");
    assert!(recs[5].rules[1]
        .options
        .as_deref()
        .unwrap()
        .contains("probability 0.50000000000"));
    assert_eq!(recs[0].rules[0].num, None);
    assert_eq!(recs[0].rules[0].pkts, None);
}

#[test]
fn list_verbose_line_numbers() {
    let (recs, p) = list("iptables-1.8.7--nat-nv-line-numbers.txt");
    assert_eq!(p.status, Status::Parsed);
    let pre = &recs[0];
    assert_eq!(
        (
            pre.default_policy.as_deref(),
            pre.default_packets,
            pre.default_bytes
        ),
        (Some("ACCEPT"), Some(1_523_000), Some(91_000_000))
    );
    let r = &pre.rules[0];
    assert_eq!(
        (r.num, r.pkts, r.bytes),
        (Some(1), Some(2183), Some(186_000))
    );
    assert_eq!(
        (r.r#in.as_deref(), r.out.as_deref()),
        (Some("*"), Some("*"))
    );
    assert_eq!(pre.rules[1].pkts, Some(1_523_000));
    let post = &recs[2];
    assert_eq!(post.rules[0].target, None);
    assert_eq!(post.rules[0].prot, "all");
    assert_eq!(post.rules[0].options, None);
    assert_eq!(post.rules[1].out.as_deref(), Some("!docker0"));
    assert_eq!(recs[3].rules[0].r#in.as_deref(), Some("docker0"));
}

#[test]
fn list_variants() {
    let (recs, p) = list("iptables-1.8.9--numeric-proto.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(recs[0].rules[0].prot, "6");
    assert_eq!(recs[0].rules[1].prot, "17");
    assert_eq!(recs[1].rules[0].target.as_deref(), Some("DROP"));

    let (recs, p) = list("ip6tables-1.8.7--filter.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &recs[0].rules[1];
    assert_eq!(
        (
            r.target.as_deref(),
            r.prot.as_str(),
            r.opt.as_deref(),
            r.source.as_str()
        ),
        (Some("ACCEPT"), "ipv6-icmp", None, "::/0")
    );

    let (recs, p) = list("iptables-1.8.4--legacy-warning.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].rules[0].target.as_deref(), Some("DOCKER"));
    assert_eq!(
        recs[0].rules[0].options.as_deref(),
        Some("ADDRTYPE match dst-type LOCAL")
    );
    assert_eq!((recs[1].record.as_str(), recs[1].line), ("warning", 4));
    assert!(recs[1]
        .message
        .as_deref()
        .unwrap()
        .contains("iptables-legacy tables present"));

    let (recs, p) = list("iptables-1.6.0--error.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].record, "error");
    assert!(recs[0]
        .message
        .as_deref()
        .unwrap()
        .ends_with("needs to be upgraded."));
    let (recs, p) = list("iptables-1.8.7--no-chain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        recs[0].message.as_deref(),
        Some("iptables: No chain/target/match by that name.")
    );
}

#[test]
fn list_broken() {
    let (recs, p) = list("iptables-1.8.7--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![19]);
    assert_eq!(recs.last().unwrap().rules.len(), 1);
    let (recs, p) = list("iptables-1.8.7--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![4, 5]);
    assert_eq!(recs[0].rules.len(), 1);
}

// ---------------------------------------------------------------- iptables-version

#[test]
fn versions() {
    let facts = |rel: &str| {
        let (r, p) = version(rel);
        assert_eq!(p.status, Status::Parsed, "{rel}");
        r.iter()
            .map(|r| (r.version.clone(), r.backend.clone(), r.explicit))
            .collect::<Vec<_>>()
    };
    let v = |a: &str, b: &str, e: bool| (a.to_string(), b.to_string(), e);
    assert_eq!(
        facts("iptables-1.8.7--nf-tables.txt"),
        vec![v("1.8.7", "nf_tables", true)]
    );
    assert_eq!(
        facts("iptables-1.8.4--legacy.txt"),
        vec![v("1.8.4", "legacy", true)]
    );
    assert_eq!(
        facts("iptables-1.6.1--untagged.txt"),
        vec![v("1.6.1", "legacy", false)]
    );
    let (r, _) = version("iptables-1.8.1--alternatives.txt");
    assert_eq!(r[1].program, "ip6tables");
    assert_eq!(r[2].backend, "legacy");
    let (r, p) = version("iptables-1.8.7--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 3]);
    assert_eq!(r.len(), 1);
}

// ---------------------------------------------------------------- detection

/// A command line that produces each kind.
fn command_for(kind: &str) -> &'static str {
    match kind {
        "iptables-save" => "iptables-save -t nat",
        "iptables-list" => "iptables -t nat -L -n -v --line-numbers",
        _ => "iptables --version",
    }
}

/// Fixtures content alone cannot claim: an error with no listing around it.
const NOT_BY_CONTENT: &[&str] = &[
    "iptables-list/iptables-1.6.0--error.txt",
    "iptables-list/iptables-1.8.7--no-chain.txt",
    "iptables-version/iptables-1.8.7--garbled.txt",
];

#[test]
fn every_fixture_is_detected_by_content_and_by_command() {
    for kind in KINDS {
        for f in files(kind) {
            let rel = format!("{kind}/{f}");
            let text = read(&rel);
            if text.trim().is_empty() {
                continue;
            }
            if !NOT_BY_CONTENT.contains(&rel.as_str()) {
                one_segment_of(&text, kind, &format!("{rel} by content"));
            }
            let with_cmd = format!("$ {}\n{text}", command_for(kind));
            let seg = one_segment_of(&with_cmd, kind, &format!("{rel} with command"));
            let expect = run(kind, &rel);
            let status = serde_json::to_value(expect.status).unwrap();
            assert_eq!(seg["parsed"]["status"], status, "{rel} with command");
        }
    }
}

#[test]
fn command_lines_pick_the_parser() {
    let kind = |cmd: &str| {
        let segs = segments(&format!("$ {cmd}\nx\n"));
        segs[0]["detection"]["kind"].as_str().map(str::to_string)
    };
    for (cmd, want) in [
        ("iptables-save", "iptables-save"),
        ("sudo ip6tables-save", "iptables-save"),
        ("iptables-legacy-save -t nat", "iptables-save"),
        ("iptables-nft-save | grep KUBE-SVC", "iptables-save"),
        ("iptables -t nat -S KUBE-SERVICES", "iptables-save"),
        ("iptables -t nat -nL PREROUTING", "iptables-list"),
        (
            "iptables -L KUBE-SERVICES -n --line-numbers",
            "iptables-list",
        ),
        ("ip6tables -L -n", "iptables-list"),
        ("iptables --list -n", "iptables-list"),
        (
            "docker run --cap-add=NET_ADMIN drags/iptables:1.6 iptables -t nat -Ln",
            "iptables-list",
        ),
        ("iptables -V", "iptables-version"),
        ("iptables --version", "iptables-version"),
        ("iptables-legacy -V", "iptables-version"),
    ] {
        assert_eq!(kind(cmd).as_deref(), Some(want), "{cmd}");
    }
}

#[test]
fn other_fixtures_are_not_claimed() {
    // No iptables sniffer reaches another kind's sniffer on its own fixtures.
    use netdoc::parse::registry::info;
    for kind in KINDS {
        for f in files(kind) {
            let rel = format!("{kind}/{f}");
            if f.contains("--empty")
                || f.contains("garbled")
                || NOT_BY_CONTENT.contains(&rel.as_str())
            {
                continue;
            }
            let text = read(&rel);
            let head = netdoc::split::head(&text, 40);
            let mine = (info(kind).unwrap().sniff)(head).unwrap_or(0.0);
            assert!(mine > 0.0, "{rel}: own sniffer says no");
            for other in netdoc::parse::ALL.iter().filter(|p| p.kind != *kind) {
                let theirs = (other.sniff)(head).unwrap_or(0.0);
                assert!(
                    theirs < mine,
                    "{rel}: {} sniffs {theirs} >= {mine}",
                    other.kind
                );
            }
        }
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "-A X --comment \"".repeat(5_000);
    let junk = "\u{0}\u{feff}-A\n:\n*\nChain \nnum pkts\n1 2 3 4 5 6 7 8 9\n99999999999999999999999K 1 X all -- * * a b\niptables v\n";
    for kind in KINDS {
        for text in [long.as_str(), junk, "!!!\n\t\t\n%%%%", "-A KUBE ! ! ! -s"] {
            let _ = parse_as(kind, &Segment::new(text, 1)).unwrap();
        }
    }
}

// ---------------------------------------------------------------- corpus

fn corpus_input(prefix: &str) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let case = std::fs::read_dir(&dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))?;
    std::fs::read_to_string(case.join("input.txt")).ok()
}

/// (first line, last line, kind, status) of each segment.
fn shape(input: &str) -> Vec<(u64, u64, Option<String>, Option<String>)> {
    segments(input)
        .iter()
        .map(|s| {
            (
                s["lines"][0].as_u64().unwrap(),
                s["lines"][1].as_u64().unwrap(),
                s["detection"]["kind"].as_str().map(str::to_string),
                s["parsed"]["status"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn seg(a: u64, b: u64, kind: &str, status: &str) -> (u64, u64, Option<String>, Option<String>) {
    (a, b, Some(kind.into()), Some(status.into()))
}

#[test]
fn corpus_iptables_segments() {
    let Some(input) = corpus_input("08-") else {
        return;
    };
    // 08: bare `iptables-save | grep` rule lines after a kubectl table, by content.
    let s = shape(&input);
    let last = s.last().unwrap();
    assert_eq!(*last, seg(23, 30, "iptables-save", "parsed"));
    let all = segments(&input);
    let recs = all.last().unwrap()["parsed"]["records"]["records"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(recs.len(), 8);
    let xlb = &recs[7];
    assert_eq!(xlb["record"], "rule");
    assert_eq!(xlb["table"], "unknown");
    assert_eq!(xlb["chain"], "KUBE-XLB-ICKQE4PTG2WGVXBF");
    assert_eq!(xlb["comment"], "default/nginx-ext: has no local endpoints");
    assert_eq!(xlb["jump"], "KUBE-MARK-DROP");
    assert_eq!(recs[3]["to_destination"], "10.44.0.56:80");

    // 24: `iptables -t nat -nL PREROUTING` with the nft build's legacy-tables warning.
    let input = corpus_input("24-").unwrap();
    let s = shape(&input);
    assert_eq!(s[0], seg(1, 5, "iptables-list", "parsed"));
    assert_eq!(s[1], seg(7, 8, "kernel-log", "parsed"));
    let all = segments(&input);
    let recs = &all[0]["parsed"]["records"]["records"];
    assert_eq!(recs[0]["chain"], "PREROUTING");
    assert_eq!(recs[0]["rules"][0]["target"], "DOCKER");
    assert_eq!(recs[1]["record"], "warning");
    assert_eq!(recs[1]["line"], 5);

    // 26: `iptables --version` under `root@vm77:~#` prompts, and `docker run … iptables
    // -t nat -Ln` whose only output is an iptables error: read as an error record.
    let input = corpus_input("26-").unwrap();
    let s = shape(&input);
    assert_eq!(
        s,
        vec![
            seg(1, 2, "kube-proxy-log", "parsed"),
            seg(4, 5, "iptables-version", "parsed"),
            seg(6, 7, "iptables-list", "parsed"),
            seg(8, 9, "iptables-list", "parsed"),
            seg(13, 14, "iptables-version", "parsed"),
            seg(15, 16, "iptables-list", "parsed"),
        ]
    );
    let all = segments(&input);
    let v = &all[1]["parsed"]["records"]["records"][0];
    assert_eq!(
        (v["version"].as_str(), v["backend"].as_str()),
        (Some("1.6.1"), Some("legacy"))
    );
    assert_eq!(v["explicit"], false);
    let v = &all[4]["parsed"]["records"]["records"][0];
    assert_eq!(
        (v["version"].as_str(), v["backend"].as_str()),
        (Some("1.8.1"), Some("nf_tables"))
    );
    let e = &all[2]["parsed"]["records"]["records"][0];
    assert_eq!(e["record"], "error");
    assert_eq!(
        e["message"],
        "iptables: No chain/target/match by that name."
    );
    let e = &all[5]["parsed"]["records"]["records"][0];
    assert_eq!(e["record"], "error");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("can't initialize iptables table `nat'"));
}

// ---------------------------------------------------------------- size

/// The bench generator's medium cluster (1000 services): 12 273 rules, 4460 chains.
#[test]
fn bench_medium_dump() {
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/gen.py");
    if !gen.is_file() {
        return;
    }
    let out = std::env::temp_dir().join(format!("netdoc-iptables-bench-{}", std::process::id()));
    let ok = std::process::Command::new("python3")
        .arg(&gen)
        .arg("--out")
        .arg(&out)
        .args(["--sizes", "medium"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("python3 or gen.py unavailable: skipped");
        return;
    }
    let text = std::fs::read_to_string(out.join("medium/iptables-save.txt")).unwrap();
    let started = std::time::Instant::now();
    let parsed = iptables_save::parse(&Segment::new(&text, 1));
    let took = started.elapsed();
    assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..1]);
    let n_rules = parsed
        .records
        .iter()
        .filter(|r| matches!(r, SaveRecord::Rule(_)))
        .count();
    let n_chains = parsed
        .records
        .iter()
        .filter(|r| matches!(r, SaveRecord::Chain(_)))
        .count();
    assert_eq!((n_rules, n_chains), (12_273, 4_460));
    // Whole pipeline: detection by content, too.
    let segs = segments(&text);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0]["detection"]["kind"], "iptables-save");

    let listing = std::fs::read_to_string(out.join("medium/iptables-L.txt")).unwrap();
    let parsed = iptables_list::parse(&Segment::new(&listing, 1));
    assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..1]);
    assert_eq!(parsed.records.len(), 4_460);
    assert_eq!(
        parsed.records.iter().map(|c| c.rules.len()).sum::<usize>(),
        12_273
    );
    let _ = std::fs::remove_dir_all(&out);
    eprintln!("medium iptables-save: {} bytes in {took:?}", text.len());
}
