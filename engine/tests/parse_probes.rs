//! Path and capture parsers (ping, tracepath, traceroute, mtr, tcpdump, conntrack) over
//! every fixture in `tests/fixtures/<kind>/`, snapshotted, plus the key facts of each
//! fixture, detection by content and by command line, the tcpdump segment of real corpus
//! case 05 and the bench generator's 100k-line conntrack table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::conntrack::{self, Record as CtRecord};
use netdoc::parse::{mtr, parse_as, ping, tcpdump, tracepath, traceroute, Parsed, Records, Status};
use netdoc::split::Segment;
use serde_json::Value;
use std::path::Path;

const KINDS: &[&str] = &[
    "ping",
    "tracepath",
    "traceroute",
    "mtr",
    "tcpdump",
    "conntrack",
];

/// Fixtures whose meaning depends on the command line that produced them.
fn command_of(rel: &str) -> Option<&'static str> {
    Some(match rel {
        "ping/iputils-20211215--mtu-local-error.txt"
        | "ping/iputils-s20161105--frag-needed.txt" => "ping -M do -s 1472 -c 3 10.0.0.7",
        "ping/iputils-20211215--ok-1422.txt" => "ping -M do -s 1422 -c 3 10.0.0.7",
        "conntrack/conntrack-1.4.6--count.txt" => "conntrack -C",
        _ => return None,
    })
}

fn run(kind: &str, rel: &str) -> Parsed {
    let text = read(rel);
    let seg = match command_of(rel) {
        Some(cmd) => Segment::with_command(&text, 2, cmd),
        None => Segment::new(&text, 1),
    };
    parse_as(kind, &seg).expect("known kind")
}

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

macro_rules! getter {
    ($name:ident, $kind:literal, $variant:ident, $rec:ty) => {
        fn $name(rel: &str) -> (Vec<$rec>, Parsed) {
            let p = run($kind, &format!("{}/{rel}", $kind));
            match &p.records {
                Records::$variant(r) => (r.clone(), p),
                _ => panic!("not {}", $kind),
            }
        }
    };
}
getter!(pings, "ping", Ping, ping::Record);
getter!(tracepaths, "tracepath", Tracepath, tracepath::Record);
getter!(traceroutes, "traceroute", Traceroute, traceroute::Record);
getter!(mtrs, "mtr", Mtr, mtr::Record);
getter!(packets, "tcpdump", Tcpdump, tcpdump::Record);
getter!(conntracks, "conntrack", Conntrack, CtRecord);

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let files = files(kind);
        for case in ["--empty.txt", "--garbled.txt", "--truncated.txt"] {
            assert!(
                files.iter().any(|f| f.ends_with(case)),
                "{kind} needs a {case} fixture"
            );
        }
        assert!(files.len() >= 6, "{kind}: only {} fixtures", files.len());
        for f in files {
            let parsed = run(kind, &format!("{kind}/{f}"));
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 36, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- ping

#[test]
fn ping_mtu_probes() {
    // iputils ≥ 20190709: the local error carries the MTU of the route.
    let (r, p) = pings("iputils-20211215--mtu-local-error.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    let r = &r[0];
    assert_eq!(r.line, 2);
    assert_eq!(r.destination_ip.as_deref(), Some("10.0.0.7"));
    assert_eq!(
        (r.data_bytes, r.payload, r.df),
        (Some(1472), Some(1472), true)
    );
    assert!(r.mtu_exceeded);
    assert_eq!((r.mtu_error, r.mtu_error_line), (Some(1450), Some(3)));
    assert_eq!(r.responses.len(), 3);
    assert!(r.responses.iter().all(|x| x.kind == "local_error"));
    assert_eq!(
        (r.packets_transmitted, r.packets_received, r.errors),
        (Some(3), Some(0), Some(3))
    );
    assert_eq!(
        (r.packet_loss_percent, r.time_ms),
        (Some(100.0), Some(2034.0))
    );
    assert_eq!(r.destination.as_deref(), Some("10.0.0.7"));

    // Older iputils: the first answer is an ICMP frag-needed from the router, then sendmsg errors.
    let (r, p) = pings("iputils-s20161105--frag-needed.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.responses[0].kind, "frag_needed_and_df_set");
    assert_eq!(r.responses[0].response_ip.as_deref(), Some("10.0.0.5"));
    assert_eq!(r.responses[0].icmp_seq, Some(1));
    assert_eq!((r.mtu_error, r.mtu_error_line), (Some(1450), Some(3)));
    assert_eq!(r.responses[1].kind, "send_error");
    assert_eq!(r.responses[1].message.as_deref(), Some("Message too long"));

    // The payload that fits: replies, rtt, no MTU error.
    let (r, p) = pings("iputils-20211215--ok-1422.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!((r.payload, r.df, r.mtu_exceeded), (Some(1422), true, false));
    assert_eq!(r.responses.len(), 3);
    assert_eq!(r.responses[0].bytes, Some(1430));
    assert_eq!(r.responses[0].ttl, Some(64));
    assert_eq!(r.responses[0].time_ms, Some(0.512));
    assert_eq!(
        (
            r.round_trip_ms_min,
            r.round_trip_ms_avg,
            r.round_trip_ms_max,
            r.round_trip_ms_stddev
        ),
        (Some(0.401), Some(0.448), Some(0.512), Some(0.046))
    );
    assert_eq!(r.duplicates, Some(0));
}

#[test]
fn ping_failures_and_variants() {
    let (r, p) = pings("iputils-20211215--host-unreachable.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].responses.len(), 3);
    assert!(r[0]
        .responses
        .iter()
        .all(|x| x.kind == "destination_host_unreachable"
            && x.response_ip.as_deref() == Some("10.244.1.1")));
    assert_eq!(r[0].packet_loss_percent, Some(100.0));
    assert_eq!(r[0].payload, Some(56));
    assert!(!r[0].df);

    let (r, _) = pings("iputils-20211215--name-not-known.txt");
    assert_eq!(
        r[0].error.as_deref(),
        Some("backend.shop: Name or service not known")
    );
    assert_eq!(r[0].error_line, Some(1));

    // busybox: one run, then a second run that failed to resolve.
    let (r, p) = pings("busybox-1.36--ok-and-bad-address.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].destination.as_deref(),
        Some("backend.shop.svc.cluster.local")
    );
    assert_eq!(r[0].destination_ip.as_deref(), Some("10.96.3.4"));
    assert_eq!(r[0].responses[0].icmp_seq, Some(0));
    assert!(r[0].responses[2].duplicate);
    assert_eq!(r[0].duplicates, Some(1));
    assert_eq!(r[0].round_trip_ms_stddev, None);
    assert_eq!(r[1].error.as_deref(), Some("bad address 'frontend'"));
    assert_eq!(r[1].line, 9);

    let (r, _) = pings("macos-13--timeout.txt");
    let kinds: Vec<_> = r[0].responses.iter().map(|x| x.kind.as_str()).collect();
    assert_eq!(kinds, ["timeout", "timeout", "reply"]);
    assert_eq!(r[0].responses[1].icmp_seq, Some(1));
    assert_eq!(r[0].packet_loss_percent, Some(66.7));
}

#[test]
fn ping_broken() {
    let (r, p) = pings("iputils-20211215--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r[0].responses[1].kind, "unparsable_line");
    let (r, p) = pings("iputils-20211215--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3, 5]);
    assert_eq!(r[0].packets_received, Some(2));
}

// ---------------------------------------------------------------- tracepath

#[test]
fn tracepath_runs() {
    let (r, p) = tracepaths("iputils-20211215--pmtu-1450.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(
        (r.pmtu, r.forward_hops, r.return_hops),
        (Some(1450), Some(2), Some(2))
    );
    assert_eq!(r.hops.len(), 5);
    assert!(r.hops[0].guess);
    assert_eq!(r.hops[0].host.as_deref(), Some("[LOCALHOST]"));
    assert_eq!(r.hops[3].pmtu, Some(1450));
    assert_eq!(r.hops[3].line, 4);
    assert!(r.hops[4].reached);

    let (r, p) = tracepaths("iputils-s20161105--names-asymm.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.hops[1].host.as_deref(), Some("gateway"));
    assert_eq!(r.hops[1].ip.as_deref(), Some("192.168.1.1"));
    assert_eq!(r.hops[3].asymmetric_difference, Some(3));
    assert!(r.hops[4].no_reply);
    assert_eq!((r.forward_hops, r.return_hops), (Some(4), Some(3)));

    let (r, p) = tracepaths("iputils-20211215--too-many-hops.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert!(r[0].too_many_hops);
    assert_eq!((r[0].pmtu, r[0].forward_hops), (Some(1450), None));

    let (r, _) = tracepaths("iputils-20211215--name-error.txt");
    assert_eq!(
        r[0].error.as_deref(),
        Some("backend.shop: Name or service not known")
    );

    let (r, p) = tracepaths("iputils-20211215--truncated.txt");
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r[0].hops.len(), 2);
    let (r, p) = tracepaths("iputils-20211215--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3, 5]);
    assert_eq!(r[0].hops[2].pmtu, Some(1450));
}

// ---------------------------------------------------------------- traceroute

#[test]
fn traceroute_runs() {
    let (r, p) = traceroutes("linux-2.1.0--cluster-ip.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(
        (r.destination_ip.as_deref(), r.destination_name.as_deref()),
        (Some("10.96.0.10"), Some("10.96.0.10"))
    );
    assert_eq!((r.max_hops, r.data_bytes), (Some(30), Some(60)));
    assert_eq!(r.hops.len(), 4);
    assert_eq!(r.hops[0].probes[0].ip.as_deref(), Some("10.244.1.1"));
    assert_eq!(r.hops[0].probes[1].rtt, Some(0.034));
    assert!(
        r.hops[1..]
            .iter()
            .all(|h| h.probes.len() == 3
                && h.probes.iter().all(|p| p.rtt.is_none() && p.ip.is_none()))
    );

    let (r, p) = traceroutes("linux-2.1.0--tcp-annotations.txt");
    assert_eq!(p.status, Status::Parsed);
    let h = &r[0].hops;
    assert_eq!(h[1].probes[0].annotation.as_deref(), Some("!H"));
    assert_eq!(h[1].probes[2].rtt, None);
    assert_eq!(h[2].probes[0].annotation.as_deref(), Some("!X"));
    assert_eq!(h[2].probes[1].ip.as_deref(), Some("10.0.0.8"));
    assert_eq!(h[2].probes[1].name, None, "-n prints no names");
    assert_eq!(h[2].probes[2].annotation.as_deref(), Some("!N"));

    let (r, p) = traceroutes("linux-2.0.22--names-asn.txt");
    assert_eq!(p.status, Status::Parsed);
    let h = &r[0].hops;
    assert_eq!(h[0].probes[0].asn, None, "[*] is no number");
    assert_eq!(h[1].probes[0].asn, Some(64512));
    assert_eq!(h[1].probes[2].name.as_deref(), Some("core-2.example.net"));
    assert_eq!(h[1].probes[2].ip.as_deref(), Some("10.10.0.2"));
    assert_eq!(h[1].probes[2].asn, None, "core-2 was printed without [AS…]");
    assert_eq!(h[2].probes[0].asn, Some(15169));
    assert_eq!(r[0].destination_name.as_deref(), Some("dns.google"));

    let (r, _) = traceroutes("busybox-1.36--bad-address.txt");
    assert_eq!(
        r[0].error.as_deref(),
        Some("traceroute: bad address 'backend'")
    );

    let (r, p) = traceroutes("macos-13--continuation.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].hops[0].probes.len(), 3);
    assert_eq!(r[0].hops[0].probes[2].ip.as_deref(), Some("10.0.0.2"));
    assert_eq!(r[0].max_hops, Some(64));

    let (r, p) = traceroutes("linux-2.1.0--truncated.txt");
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r[0].hops.len(), 1);
    let (r, p) = traceroutes("linux-2.1.0--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r[0].hops.len(), 2);
}

// ---------------------------------------------------------------- mtr

#[test]
fn mtr_reports() {
    let (r, p) = mtrs("mtr-0.95--report.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.start.as_deref(), Some("2024-05-01T10:00:00+0000"));
    assert_eq!(r.source_host.as_deref(), Some("node-1"));
    assert_eq!(r.hops.len(), 3);
    assert_eq!(r.hops[1].host, "???");
    assert_eq!(r.hops[1].loss_percent, Some(100.0));
    let h = &r.hops[2];
    assert_eq!(
        (
            h.hop,
            h.loss_percent,
            h.sent,
            h.avg_ms,
            h.worst_ms,
            h.stddev_ms
        ),
        (3, Some(30.0), Some(10), Some(0.6), Some(1.2), Some(0.2))
    );

    let (r, p) = mtrs("mtr-0.92--wide-asn.txt");
    assert_eq!(p.status, Status::Parsed);
    let h = &r[0].hops;
    assert_eq!(h[0].asn.as_deref(), Some("AS???"));
    assert_eq!(
        (h[0].host.as_str(), h[0].ip.as_deref()),
        ("gateway", Some("192.168.1.1"))
    );
    assert_eq!(h[1].other_hosts, vec!["10.10.0.2"]);
    assert_eq!(h[2].best_ms, Some(11.6));

    let (r, p) = mtrs("mtr-0.93--columns.txt");
    assert_eq!(p.status, Status::Parsed);
    let h = &r[0].hops[1];
    assert_eq!(
        (h.received, h.dropped, h.jitter_avg_ms),
        (Some(8), Some(2), Some(0.3))
    );

    let (r, _) = mtrs("mtr-0.95--resolve-error.txt");
    assert!(r[0]
        .error
        .as_deref()
        .unwrap()
        .starts_with("Failed to resolve host"));

    let (r, p) = mtrs("mtr-0.95--truncated.txt");
    assert_eq!(problem_lines(&p), vec![4]);
    assert_eq!(r[0].hops[1].last_ms, Some(0.5));
    let (r, p) = mtrs("mtr-0.95--garbled.txt");
    assert_eq!(problem_lines(&p), vec![4]);
    assert_eq!(r[0].hops.len(), 2);
}

// ---------------------------------------------------------------- tcpdump

#[test]
fn tcpdump_dns() {
    let (r, p) = packets("tcpdump-4.99--any-dns-nxdomain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 7);
    let q = &r[0];
    assert_eq!(q.line, 4);
    assert_eq!(q.time.as_deref(), Some("10:00:00.123456"));
    assert_eq!(
        (
            q.interface.as_deref(),
            q.direction.as_deref(),
            q.proto.as_str()
        ),
        (Some("eth0"), Some("Out"), "udp")
    );
    assert_eq!(
        (q.src.as_deref(), q.sport, q.dst.as_deref(), q.dport),
        (
            Some("10.244.1.5"),
            Some(43210),
            Some("10.96.0.10"),
            Some(53)
        )
    );
    let d = q.dns.as_ref().unwrap();
    assert!(d.query);
    assert_eq!((d.id, d.qtype.as_deref()), (12345, Some("A")));
    assert_eq!(
        d.qname.as_deref(),
        Some("backend.default.svc.cluster.local.")
    );
    assert_eq!(q.length, Some(51));
    let a = r[2].dns.as_ref().unwrap();
    assert_eq!(
        (a.id, a.query, a.rcode.as_deref()),
        (12345, false, Some("NXDomain"))
    );
    assert_eq!((a.answer_count, a.authority_count), (Some(0), Some(1)));
    let ok = r[5].dns.as_ref().unwrap();
    assert_eq!(ok.rcode.as_deref(), Some("NoError"));
    assert_eq!(ok.answers, vec!["A 10.96.3.4"]);
    assert_eq!(
        r[6].dns.as_ref().unwrap().rcode.as_deref(),
        Some("ServFail")
    );
    assert_eq!(r[2].direction.as_deref(), Some("In"));
}

#[test]
fn tcpdump_tcp_icmp() {
    // Real case 05's shape: a wrapped SYN line, the handshake, then need-to-frag.
    let (r, p) = packets("tcpdump-4.9--mtu-need-to-frag.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 5);
    assert_eq!(
        (r[0].tcp_flags.as_deref(), r[0].mss, r[0].length),
        (Some("S"), Some(1460), Some(0))
    );
    assert_eq!(r[0].interface, None);
    assert_eq!(r[1].tcp_flags.as_deref(), Some("S."));
    assert_eq!(r[3].tcp_flags.as_deref(), Some("P."));
    assert_eq!(r[3].length, Some(5337));
    let i = r[4].icmp.as_ref().unwrap();
    assert_eq!(r[4].proto, "icmp");
    assert_eq!(
        (i.kind.as_str(), i.mtu, i.target.as_deref()),
        ("need-to-frag", Some(1440), Some("10.61.1.35"))
    );
    assert_eq!(r[4].length, Some(556));

    let (r, p) = packets("tcpdump-4.99--tcp-reset-icmp.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[1].tcp_flags.as_deref(), Some("R."));
    assert_eq!(r[2].icmp.as_ref().unwrap().kind, "echo-request");
    assert_eq!(r[3].icmp.as_ref().unwrap().kind, "echo-reply");
    let pu = r[4].icmp.as_ref().unwrap();
    assert_eq!(
        (pu.kind.as_str(), pu.target.as_deref()),
        ("port-unreachable", Some("10.96.0.10 udp port 53"))
    );
    assert_eq!(r[5].icmp.as_ref().unwrap().kind, "admin-prohibited");
    assert_eq!((r[6].proto.as_str(), r[6].length), ("arp", Some(28)));
    assert_eq!((r[7].proto.as_str(), r[7].dport), ("udp", Some(8472)));

    let (r, p) = packets("tcpdump-4.99--verbose-ipv6.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 3);
    assert_eq!((r[0].line, r[0].proto.as_str()), (2, "udp"));
    assert_eq!(r[0].dns.as_ref().unwrap().qtype.as_deref(), Some("A"));
    assert_eq!(r[1].time.as_deref(), Some("2024-05-01 10:00:00.200000"));
    assert_eq!(
        (r[1].src.as_deref(), r[1].dport),
        (Some("fd00:10:244:1::5"), Some(53))
    );
    let ptb = r[2].icmp.as_ref().unwrap();
    assert_eq!(
        (r[2].proto.as_str(), ptb.kind.as_str(), ptb.mtu),
        ("icmp6", "packet-too-big", Some(1450))
    );

    let (r, p) = packets("tcpdump-4.99--truncated.txt");
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r.len(), 1);
    let (r, p) = packets("tcpdump-4.99--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3, 5]);
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- conntrack

fn flows(recs: &[CtRecord]) -> Vec<&conntrack::Flow> {
    recs.iter()
        .filter_map(|r| match r {
            CtRecord::Flow(f) => Some(f),
            _ => None,
        })
        .collect()
}

#[test]
fn conntrack_tables() {
    let (r, p) = conntracks("conntrack-1.4.6--list.txt");
    assert_eq!(p.status, Status::Parsed);
    let f = flows(&r);
    assert_eq!(f.len(), 6);
    assert_eq!(
        (
            &*f[0].protocol,
            f[0].protocol_number,
            f[0].timeout,
            f[0].state.as_deref()
        ),
        ("tcp", 6, Some(86397), Some("ESTABLISHED"))
    );
    assert_eq!(
        (
            f[0].orig_src.as_str(),
            f[0].orig_dst.as_deref(),
            f[0].orig_sport,
            f[0].orig_dport
        ),
        ("10.244.1.5", Some("10.96.0.1"), Some(43210), Some(443))
    );
    assert_eq!(
        (
            f[0].reply_src.as_deref(),
            f[0].reply_sport,
            f[0].reply_dport
        ),
        (Some("10.0.0.5"), Some(6443), Some(43210))
    );
    assert_eq!(
        (f[0].status.clone(), f[0].mark, f[0].use_count),
        (vec!["ASSURED".into()], Some(0), Some(1))
    );
    assert_eq!(f[2].status, vec!["UNREPLIED"]);
    assert_eq!(
        (&*f[3].protocol, f[3].state.as_deref(), f[3].timeout),
        ("udp", None, Some(29))
    );
    assert_eq!(f[3].status, vec!["UNREPLIED"]);
    assert_eq!(f[5].extra.get("orig_type").map(String::as_str), Some("8"));
    let CtRecord::Summary(s) = r.last().unwrap() else {
        panic!("no trailer")
    };
    assert_eq!(
        (s.version.as_str(), s.entries, s.action.as_deref()),
        ("1.4.6", Some(6), Some("shown"))
    );

    let (r, p) = conntracks("conntrack-1.4.6--extended-events.txt");
    assert_eq!(p.status, Status::Parsed);
    let f = flows(&r);
    assert_eq!(
        (f[0].family.as_deref(), f[0].family_number),
        (Some("ipv4"), Some(2))
    );
    assert_eq!(
        (
            f[0].orig_packets,
            f[0].orig_bytes,
            f[0].reply_bytes,
            f[0].zone
        ),
        (Some(6), Some(412), Some(1234), Some(0))
    );
    assert_eq!(f[1].event.as_deref(), Some("NEW"));
    assert_eq!(
        (f[3].event.as_deref(), f[3].timeout),
        (Some("DESTROY"), None)
    );
    let CtRecord::Summary(s) = r.last().unwrap() else {
        panic!("no trailer")
    };
    assert_eq!(
        s.message.as_deref(),
        Some("Operation failed: such conntrack doesn't exist")
    );
}

#[test]
fn conntrack_counters() {
    let (r, p) = conntracks("conntrack-1.4.6--stats.txt");
    assert_eq!(p.status, Status::Parsed);
    let CtRecord::Stats(s) = &r[1] else { panic!() };
    assert_eq!(
        (s.cpu, s.insert_failed, s.drop, s.invalid, s.clash_resolve),
        (Some(1), Some(7), Some(7), Some(988), Some(1))
    );
    let (r, _) = conntracks("conntrack-1.4.4--stats-old.txt");
    let CtRecord::Stats(s) = &r[0] else { panic!() };
    assert_eq!(
        (s.entries, s.searched, s.delete_list, s.insert_failed),
        (Some(2314), Some(101), Some(2999), Some(20))
    );
    let (r, _) = conntracks("conntrack-1.4.6--count.txt");
    assert_eq!(
        r[0],
        CtRecord::Count(conntrack::Count {
            line: 2,
            count: 131_072
        })
    );

    let (r, p) = conntracks("conntrack-1.4.6--truncated.txt");
    assert_eq!(problem_lines(&p), vec![2]);
    assert_eq!(r.len(), 1);
    let (r, p) = conntracks("conntrack-1.4.6--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 4]);
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- detection

/// A command line that produces each kind.
fn command_for(kind: &str) -> &'static str {
    match kind {
        "ping" => "ping -c 3 10.0.0.7",
        "tracepath" => "tracepath -n 10.0.0.7",
        "traceroute" => "traceroute -n 10.96.0.10",
        "mtr" => "mtr -r -c 10 10.0.0.7",
        "tcpdump" => "tcpdump -nn -i any port 53",
        _ => "conntrack -L",
    }
}

/// Fixtures content alone cannot claim: a bare number.
const NOT_BY_CONTENT: &[&str] = &["conntrack/conntrack-1.4.6--count.txt"];

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
            for cmd in [command_for(kind), command_of(&rel).unwrap_or("")] {
                if cmd.is_empty() {
                    continue;
                }
                for prompt in ["$ ", "root@node-1:~# ", "/ # ", ""] {
                    let with_cmd = format!("{prompt}{cmd}\n{text}");
                    let segs = segments(&with_cmd);
                    assert_eq!(segs.len(), 1, "{rel} with `{prompt}{cmd}`: {segs:?}");
                    assert_eq!(segs[0]["detection"]["kind"].as_str(), Some(*kind), "{rel}");
                    assert_eq!(segs[0]["detection"]["confidence"], 1.0, "{rel}");
                }
            }
        }
    }
}

#[test]
fn commands_pick_the_parser() {
    let kind = |cmd: &str| {
        let segs = segments(&format!("$ {cmd}\n1\n"));
        segs[0]["detection"]["kind"].as_str().map(str::to_string)
    };
    for (cmd, want) in [
        ("ping -M do -s 1472 -c 3 10.0.0.7", "ping"),
        ("sudo ping6 fd00::7", "ping"),
        ("kubectl exec -n shop web-0 -- ping -c 3 backend", "ping"),
        (
            "kubectl exec -it netshoot -- busybox ping -c 1 10.0.0.7",
            "ping",
        ),
        ("tracepath -n 10.0.0.7", "tracepath"),
        ("traceroute -T -p 443 10.96.0.1", "traceroute"),
        ("mtr --report -c 10 10.0.0.7", "mtr"),
        ("tcpdump -nn -i any port 53", "tcpdump"),
        ("sudo conntrack -S", "conntrack"),
        ("conntrack -L -p udp --dport 53", "conntrack"),
    ] {
        assert_eq!(kind(cmd).as_deref(), Some(want), "{cmd}");
    }
}

#[test]
fn payload_and_df_come_from_the_command_line() {
    let text = read("ping/iputils-20211215--mtu-local-error.txt");
    for (cmd, payload, df) in [
        ("ping -M do -s 1472 -c 3 10.0.0.7", 1472, true),
        ("ping -Mdo -s1472 10.0.0.7", 1472, true),
        ("ping -M want -s 1400 10.0.0.7", 1400, false),
        ("ping -c 3 10.0.0.7", 1472, false),
    ] {
        let segs = segments(&format!("$ {cmd}\n{text}"));
        let r = &segs[0]["parsed"]["records"]["records"][0];
        assert_eq!(
            (r["payload"].as_u64(), r["df"].as_bool()),
            (Some(payload), Some(df)),
            "{cmd}"
        );
        assert_eq!(r["mtu_error_line"], 3, "{cmd}");
    }
}

#[test]
fn other_fixtures_are_not_claimed() {
    // No sniffer of another kind reaches ours on our fixtures.
    use netdoc::parse::registry::info;
    for kind in KINDS {
        for f in files(kind) {
            let rel = format!("{kind}/{f}");
            if f.contains("--empty") || NOT_BY_CONTENT.contains(&rel.as_str()) {
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
    let long = "64 bytes from (".repeat(5_000);
    let junk = "\u{0}\u{feff}PING\n---\n 1?: \n1.|--\nsrc=\ncpu=\n99999999999999999999999\n10:00:00 IP a > b:\nFrom  icmp_seq=99999999999\n";
    for kind in KINDS {
        for text in [
            long.as_str(),
            junk,
            "!!!\n\t\t\n%%%%",
            "tcp 6 1 src=1 src=2",
        ] {
            let _ = parse_as(kind, &Segment::new(text, 1)).unwrap();
        }
    }
}

// ---------------------------------------------------------------- corpus

#[test]
fn corpus_05_tcpdump_segment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let Some(case) = std::fs::read_dir(&dir).ok().and_then(|d| {
        d.map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("05-"))
    }) else {
        return;
    };
    let input = std::fs::read_to_string(case.join("input.txt")).unwrap();
    let segs = segments(&input);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0]["detection"]["kind"], "tcpdump");
    assert_eq!(segs[0]["parsed"]["status"], "parsed");
    let recs = segs[0]["parsed"]["records"]["records"].as_array().unwrap();
    assert_eq!(recs.len(), 9);
    assert_eq!(recs[0]["mss"], 1460);
    assert_eq!(recs[0]["length"], 0);
    let frag: Vec<&Value> = recs
        .iter()
        .filter(|r| r["icmp"]["kind"] == "need-to-frag")
        .collect();
    assert_eq!(frag.len(), 2);
    assert_eq!(frag[0]["icmp"]["mtu"], 1440);
    assert_eq!(frag[0]["line"], 11);
    assert_eq!(recs[7]["length"], 1448);
    assert_eq!(recs[8]["length"], 556);
}

// ---------------------------------------------------------------- size

/// The bench generator's medium cluster: `conntrack -L` of 100 000 flows, in one pass.
#[test]
fn bench_medium_conntrack() {
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/gen.py");
    if !gen.is_file() {
        eprintln!("gen.py not found beside the project: skipped");
        return;
    }
    let out = std::env::temp_dir().join(format!("netdoc-conntrack-bench-{}", std::process::id()));
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
    let text = std::fs::read_to_string(out.join("medium/conntrack.txt")).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    let started = std::time::Instant::now();
    let parsed = conntrack::parse(&Segment::new(&text, 1));
    let took = started.elapsed();
    assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..1]);
    let f = flows(&parsed.records);
    assert_eq!(f.len(), 100_000);
    assert_eq!(f.len(), text.lines().count());
    let udp = f.iter().filter(|f| f.protocol == "udp").count();
    assert!(udp > 10_000 && udp < 20_000, "{udp} udp flows");
    assert!(f
        .iter()
        .filter(|f| f.protocol == "tcp")
        .all(|f| f.state.is_some()));
    assert!(f
        .iter()
        .all(|f| f.reply_src.is_some() && f.orig_dport.is_some()));
    // Whole pipeline: detection by content, one segment.
    let segs = segments(&text);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0]["detection"]["kind"], "conntrack");
    eprintln!("medium conntrack -L: {} bytes in {took:?}", text.len());
}
