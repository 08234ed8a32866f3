//! kube-proxy's datapath parsers (ipvsadm, nft, ipset) over every fixture in
//! `tests/fixtures/<kind>/`, snapshotted, plus the key facts of each fixture, detection by
//! content and by command line, and the bench generator's medium `ipvsadm.txt`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::ipset::{self, IpSet};
use netdoc::parse::ipvsadm::{self, VirtualServer};
use netdoc::parse::nft::{self, Chain, NftRule, NftSet};
use netdoc::parse::{parse_as, Parsed, Records, Status};
use netdoc::split::Segment;
use std::path::Path;

const KINDS: &[&str] = &["ipvsadm", "nft", "ipset"];

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

fn ipvs(rel: &str) -> (Vec<ipvsadm::Record>, Parsed) {
    let p = run("ipvsadm", &format!("ipvsadm/{rel}"));
    match &p.records {
        Records::Ipvsadm(r) => (r.clone(), p),
        _ => panic!("not ipvsadm"),
    }
}

fn services(recs: &[ipvsadm::Record]) -> Vec<&VirtualServer> {
    recs.iter()
        .filter_map(|r| match r {
            ipvsadm::Record::VirtualServer(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn nft_of(rel: &str) -> (Vec<nft::Record>, Parsed) {
    let p = run("nft", &format!("nft/{rel}"));
    match &p.records {
        Records::Nft(r) => (r.clone(), p),
        _ => panic!("not nft"),
    }
}

fn chains(recs: &[nft::Record]) -> Vec<&Chain> {
    recs.iter()
        .filter_map(|r| match r {
            nft::Record::Chain(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn rules(recs: &[nft::Record]) -> Vec<&NftRule> {
    recs.iter()
        .filter_map(|r| match r {
            nft::Record::Rule(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn sets(recs: &[nft::Record]) -> Vec<&NftSet> {
    recs.iter()
        .filter_map(|r| match r {
            nft::Record::Set(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn ipsets(rel: &str) -> (Vec<ipset::Record>, Parsed) {
    let p = run("ipset", &format!("ipset/{rel}"));
    match &p.records {
        Records::Ipset(r) => (r.clone(), p),
        _ => panic!("not ipset"),
    }
}

fn set_list(recs: &[ipset::Record]) -> Vec<&IpSet> {
    recs.iter()
        .filter_map(|r| match r {
            ipset::Record::Set(s) => Some(s),
            _ => None,
        })
        .collect()
}

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
        assert!(files.len() >= 8, "{kind}: only {} fixtures", files.len());
        for f in files {
            let parsed = run(kind, &format!("{kind}/{f}"));
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 24, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- ipvsadm

#[test]
fn ipvsadm_kube_proxy_listing() {
    let (recs, p) = ipvs("ipvsadm-1.31--kube-proxy-ln.txt");
    assert_eq!(p.status, Status::Parsed);
    let ipvsadm::Record::Header(h) = &recs[0] else {
        panic!("no header first")
    };
    assert_eq!(
        (h.version.as_str(), h.size, h.line),
        ("1.2.1", Some(4096), 1)
    );
    let s = services(&recs);
    assert_eq!(s.len(), 10);
    let api = s[0];
    assert_eq!(
        (
            api.protocol.as_str(),
            api.address.as_deref(),
            api.port,
            api.scheduler.as_deref(),
            api.line
        ),
        ("TCP", Some("10.96.0.1"), Some(443), Some("rr"), 4)
    );
    assert_eq!(api.real_servers.len(), 3);
    let rs = &api.real_servers[0];
    assert_eq!(
        (
            rs.address.as_str(),
            rs.port,
            rs.forward.as_deref(),
            rs.weight,
            rs.active_conn,
            rs.inact_conn,
            rs.line
        ),
        (
            "192.168.1.10",
            Some(6443),
            Some("Masq"),
            Some(1),
            Some(2),
            Some(0),
            5
        )
    );
    // A terminating endpoint keeps weight 0; sessionAffinity ClientIP is `persistent 10800`.
    let web = s
        .iter()
        .find(|v| v.address.as_deref() == Some("10.100.64.12"))
        .unwrap();
    assert_eq!(web.real_servers[2].weight, Some(0));
    assert_eq!(web.real_servers[0].inact_conn, Some(14));
    let redis = s.iter().find(|v| v.port == Some(6379)).unwrap();
    assert_eq!(redis.persistent, Some(10800));
    // A service without ready endpoints has no `->` lines.
    let empty = s.iter().find(|v| v.port == Some(8443)).unwrap();
    assert!(empty.real_servers.is_empty());
    // A NodePort on three node addresses.
    let nodeports: Vec<_> = s
        .iter()
        .filter(|v| v.port == Some(30080))
        .map(|v| v.address.as_deref().unwrap())
        .collect();
    assert_eq!(nodeports, vec!["172.17.0.1", "192.168.1.10", "10.244.0.0"]);
    assert_eq!(s.last().unwrap().protocol, "UDP");
}

#[test]
fn ipvsadm_stats_and_rate() {
    let (recs, p) = ipvs("ipvsadm-1.31--stats.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = services(&recs);
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].scheduler, None);
    let st = s[0].stats.unwrap();
    assert_eq!(
        (st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes),
        (1843, 523_411, 498_120, 61_024_000, 1_135_000_000)
    );
    let rs = s[0].real_servers[1].stats.unwrap();
    assert_eq!((rs.conns, rs.outbytes), (923, 568_000_000));
    assert_eq!(s[0].real_servers[1].forward, None);
    assert_eq!(s[2].real_servers.len(), 2);

    let (recs, p) = ipvs("ipvsadm-1.31--rate.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = services(&recs);
    let r = s[0].rate.unwrap();
    assert_eq!((r.cps, r.inpps, r.outbps), (3, 41, 60833));
    assert_eq!(s[0].stats, None);
    assert_eq!(s[0].real_servers[0].rate.unwrap().cps, 2);
}

#[test]
fn ipvsadm_variants() {
    let (recs, p) = ipvs("ipvsadm-1.31--one-service.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(recs.len(), 1);
    let s = services(&recs);
    assert_eq!((s[0].line, s[0].real_servers.len()), (3, 2));

    let (recs, p) = ipvs("ipvsadm-1.31--ipv6-fwm.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = services(&recs);
    assert_eq!(
        (s[0].address.as_deref(), s[0].port),
        (Some("fd00:10:96::1"), Some(443))
    );
    assert_eq!(s[0].real_servers[0].address, "fd00:10:244:1::5");
    let fwm = s.iter().find(|v| v.protocol == "FWM").unwrap();
    assert_eq!(
        (fwm.fwmark, fwm.address.as_deref(), fwm.scheduler.as_deref()),
        (Some(100), None, Some("wrr"))
    );
    assert_eq!(fwm.real_servers[0].forward.as_deref(), Some("Route"));
    assert_eq!(fwm.real_servers[0].weight, Some(2));
    let sh = s
        .iter()
        .find(|v| v.scheduler.as_deref() == Some("sh"))
        .unwrap();
    assert_eq!(sh.flags, vec!["sh-fallback,sh-port", "ops"]);

    let (recs, p) = ipvs("ipvsadm-1.29--names.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = services(&recs);
    assert_eq!(s[0].port, Some(443));
    assert_eq!(s[1].port, Some(53));
    let cut = &s[0].real_servers[0];
    assert_eq!(
        (cut.address.as_str(), cut.port),
        ("control-plane.minikube.inter", None)
    );

    let (recs, p) = ipvs("ipvsadm-1.31--no-module.txt");
    assert_eq!(p.status, Status::Parsed);
    let ipvsadm::Record::Error(e) = &recs[0] else {
        panic!("no error")
    };
    assert_eq!(e.message, "Can't initialize ipvs: Protocol not available");
    assert_eq!(recs.len(), 2);
}

#[test]
fn ipvsadm_broken() {
    let (recs, p) = ipvs("ipvsadm-1.31--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![15]);
    assert!(p.problems[0].message.contains("found 0 column(s)"));
    let s = services(&recs);
    assert_eq!(s.len(), 4);
    assert!(s[3].real_servers.is_empty());

    let (recs, p) = ipvs("ipvsadm-1.31--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![6, 7, 8, 9]);
    let s = services(&recs);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].real_servers.len(), 1);
    // The `->` under the unreadable service is not given to the service above it.
    assert_eq!(s[1].real_servers.len(), 1);
    assert_eq!(s[1].protocol, "UDP");
}

#[test]
fn ipvsadm_bench_medium_in_one_pass() {
    let out = std::env::temp_dir().join(format!("netdoc-ipvs-{}", std::process::id()));
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/gen.py");
    let ran = std::process::Command::new("python3")
        .arg(&gen)
        .arg("--out")
        .arg(&out)
        .args(["--sizes", "medium"])
        .output();
    let text = match ran {
        Ok(o) if o.status.success() => {
            std::fs::read_to_string(out.join("medium/ipvsadm.txt")).unwrap()
        }
        _ => {
            eprintln!(
                "skipped: python3 or {} is not available to generate ipvsadm.txt",
                gen.display()
            );
            return;
        }
    };
    let _ = std::fs::remove_dir_all(&out);
    let start = std::time::Instant::now();
    let p = parse_as("ipvsadm", &Segment::new(&text, 1)).unwrap();
    let took = start.elapsed();
    assert_eq!(p.status, Status::Parsed, "{:?}", &p.problems);
    let Records::Ipvsadm(recs) = &p.records else {
        panic!("not ipvsadm")
    };
    let s = services(recs);
    assert!(s.len() >= 1000, "{} services", s.len());
    let reals: usize = s.iter().map(|v| v.real_servers.len()).sum();
    let lines = text.lines().count();
    assert_eq!(1 + s.len() + reals + 2, lines);
    assert_eq!(s[0].address.as_deref(), Some("10.96.0.1"));
    // Detection by content alone, and the whole pipeline, on the same text.
    let segs = netdoc::parse_all(&text);
    assert_eq!(segs.as_array().unwrap().len(), 1);
    assert_eq!(segs[0]["detection"]["kind"], "ipvsadm");
    eprintln!("ipvsadm medium: {lines} lines parsed in {took:?}");
}

// ---------------------------------------------------------------- nft

#[test]
fn nft_kube_proxy_nftables_mode() {
    let (recs, p) = nft_of("nft-1.0.9--kube-proxy-nftables.txt");
    assert_eq!(p.status, Status::Parsed);
    let nft::Record::Table(t) = &recs[0] else {
        panic!("no table first")
    };
    assert_eq!(
        (
            t.family.as_str(),
            t.name.as_str(),
            t.comment.as_deref(),
            t.iptables_nft
        ),
        ("ip", "kube-proxy", Some("rules for kube-proxy"), false)
    );
    let s = sets(&recs);
    let names: Vec<_> = s
        .iter()
        .map(|s| (s.kind.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("set", "cluster-ips"),
            ("set", "nodeport-ips"),
            ("map", "no-endpoint-nodeports"),
            ("map", "no-endpoint-services"),
            ("map", "service-ips"),
            ("map", "service-nodeports"),
        ]
    );
    // A set's elements over two lines, each with its own line.
    let cips: Vec<_> = s[0]
        .elements
        .iter()
        .map(|e| (e.key.as_str(), e.line))
        .collect();
    assert_eq!(
        cips,
        vec![
            ("10.96.0.1", 6),
            ("10.96.0.10", 6),
            ("10.100.64.12", 7),
            ("10.108.9.200", 7)
        ]
    );
    let svc = s[4];
    assert_eq!(
        (svc.key_type.as_deref(), svc.value_type.as_deref(), svc.line),
        (
            Some("ipv4_addr . inet_proto . inet_service"),
            Some("verdict"),
            27
        )
    );
    assert_eq!(svc.elements.len(), 4);
    let dns = &svc.elements[1];
    assert_eq!(
        (dns.line, dns.key.as_str(), dns.value.as_deref()),
        (
            31,
            "10.96.0.10 . udp . 53",
            Some("goto service-FY4VZNJ5-kube-system/kube-dns/udp/dns")
        )
    );
    let noep = &s[3].elements[0];
    assert_eq!(noep.comment.as_deref(), Some("shop/legacy-api:https"));
    assert_eq!(noep.value.as_deref(), Some("goto reject-chain"));
    assert_eq!(noep.key, "10.108.9.200 . tcp . 8443");

    let c = chains(&recs);
    let pre = c.iter().find(|c| c.name == "filter-prerouting").unwrap();
    assert_eq!(pre.priority.as_deref(), Some("dstnat - 10"));
    let nat = c.iter().find(|c| c.name == "nat-prerouting").unwrap();
    assert_eq!(
        (
            nat.chain_type.as_deref(),
            nat.hook.as_deref(),
            nat.priority.as_deref(),
            nat.policy.as_deref()
        ),
        (
            Some("nat"),
            Some("prerouting"),
            Some("dstnat"),
            Some("accept")
        )
    );
    let reject = c.iter().find(|c| c.name == "reject-chain").unwrap();
    assert!(reject.comment.as_deref().unwrap().starts_with("helper for"));
    assert!(c
        .iter()
        .all(|c| c.table == "kube-proxy" && c.family == "ip"));

    let r = rules(&recs);
    let pick = r
        .iter()
        .find(|r| r.chain == "service-5JZ3V6QA-shop/web/tcp/http" && !r.vmap_targets.is_empty())
        .unwrap();
    assert_eq!(
        pick.vmap_targets,
        vec![
            "endpoint-QGH7N2MZ-shop/web/tcp/http__10.244.1.5/8080",
            "endpoint-TL4VJQ6D-shop/web/tcp/http__10.244.2.7/8080"
        ]
    );
    let masq = r
        .iter()
        .find(|r| r.chain == "service-5JZ3V6QA-shop/web/tcp/http" && r.jump.is_some())
        .unwrap();
    assert_eq!(
        (
            masq.daddr.as_deref(),
            masq.dport.as_deref(),
            masq.saddr.as_deref(),
            masq.saddr_negated
        ),
        (
            Some("10.100.64.12"),
            Some("80"),
            Some("10.244.0.0/16"),
            true
        )
    );
    let dnat: Vec<_> = r.iter().filter_map(|r| r.dnat_to.as_deref()).collect();
    assert_eq!(dnat.len(), 7);
    assert_eq!(dnat[0], "192.168.1.10:6443");
    let services = r.iter().find(|r| r.chain == "services").unwrap();
    assert_eq!(services.vmap_set.as_deref(), Some("@service-ips"));
    assert_eq!(services.daddr, None);
    let ext = r
        .iter()
        .find(|r| r.chain.starts_with("external-") && r.goto.is_some())
        .unwrap();
    assert_eq!(
        ext.goto.as_deref(),
        Some("service-5JZ3V6QA-shop/web/tcp/http")
    );
    let drop = r
        .iter()
        .find(|r| r.verdict.as_deref() == Some("drop"))
        .unwrap();
    assert_eq!(drop.daddr.as_deref(), Some("10.96.0.0/16"));
    assert_eq!(
        drop.comment.as_deref(),
        Some("Drop traffic to unallocated ClusterIPs")
    );
}

#[test]
fn nft_iptables_nft_ruleset() {
    let (recs, p) = nft_of("nft-1.0.2--iptables-nft-ruleset.txt");
    assert_eq!(p.status, Status::Parsed);
    let nft::Record::Warning(w) = &recs[0] else {
        panic!("no warning first")
    };
    assert_eq!(
        w.message,
        "table ip nat is managed by iptables-nft, do not touch!"
    );
    let tables: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            nft::Record::Table(t) => Some((t.name.as_str(), t.iptables_nft, t.line)),
            _ => None,
        })
        .collect();
    assert_eq!(
        tables,
        vec![
            ("nat", true, 2),
            ("filter", true, 81),
            ("cilium_test", false, 96)
        ]
    );
    let r = rules(&recs);
    let svc = r
        .iter()
        .find(|r| r.chain == "KUBE-SERVICES" && r.dport.as_deref() == Some("53"))
        .unwrap();
    assert_eq!(
        (
            svc.l4proto.as_deref(),
            svc.daddr.as_deref(),
            svc.jump.as_deref(),
            svc.counter_packets,
            svc.line
        ),
        (
            Some("udp"),
            Some("10.96.0.10"),
            Some("KUBE-SVC-TCOU7JCQXEZGVUNU"),
            Some(0),
            5
        )
    );
    let sep = r
        .iter()
        .find(|r| r.chain == "KUBE-SEP-Q3UWQ2J7G4TZ6VCC" && r.dnat_to.is_some())
        .unwrap();
    assert_eq!(sep.dnat_to.as_deref(), Some("10.244.1.5:8080"));
    assert_eq!(
        (sep.counter_packets, sep.counter_bytes),
        (Some(12), Some(720))
    );
    let post = r
        .iter()
        .find(|r| r.verdict.as_deref() == Some("masquerade"))
        .unwrap();
    assert_eq!(post.chain, "KUBE-POSTROUTING");
    let reject = r
        .iter()
        .find(|r| r.table == "filter" && r.verdict.as_deref() == Some("reject"))
        .unwrap();
    assert_eq!(
        reject.comment.as_deref(),
        Some("shop/legacy-api:https has no endpoints")
    );
    assert!(r.iter().all(|r| r.table != "cilium_test"));
    let c = chains(&recs);
    let out = c.iter().find(|c| c.name == "OUTPUT").unwrap();
    assert_eq!(out.priority.as_deref(), Some("-100"));
    assert_eq!(c.iter().filter(|c| c.table == "nat").count(), 15);
}

#[test]
fn nft_variants() {
    let (recs, p) = nft_of("nft-0.9.3--xt-warning-handles.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = rules(&recs);
    let dnat = r
        .iter()
        .find(|r| r.chain == "KUBE-SEP-B5VO6EBO7JWDMZQ2" && !r.xt.is_empty())
        .unwrap();
    assert_eq!(dnat.line, 14);
    assert_eq!(dnat.xt, vec!["target DNAT"]);
    assert_eq!(dnat.warning.as_deref(), Some("XT target DNAT not found"));
    assert_eq!(dnat.handle, Some(44));
    assert_eq!(r.len(), 6);
    assert_eq!(r[0].handle, Some(40));
    assert_eq!(chains(&recs)[0].handle, Some(9));
    let post = r.last().unwrap();
    assert_eq!(post.xt, vec!["match set", "match set"]);

    let (recs, p) = nft_of("nft-1.0.9--list-chain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(rules(&recs)[1].vmap_targets.len(), 2);

    let (recs, p) = nft_of("nft-1.0.9--list-tables.txt");
    assert_eq!(p.status, Status::Parsed);
    let t: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            nft::Record::Table(t) => Some(format!("{} {}", t.family, t.name)),
            _ => None,
        })
        .collect();
    assert_eq!(t.len(), 5);
    assert_eq!(t[4], "ip6 kube-proxy");

    let (recs, p) = nft_of("nft-1.0.9--no-table.txt");
    assert_eq!(p.status, Status::Parsed);
    let nft::Record::Error(e) = &recs[0] else {
        panic!("no error")
    };
    assert_eq!(e.message, "No such file or directory");
    assert_eq!(recs.len(), 1);
}

#[test]
fn nft_broken() {
    let (recs, p) = nft_of("nft-1.0.9--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![1, 27, 30]);
    let s = sets(&recs);
    let svc = s.iter().find(|s| s.name == "service-ips").unwrap();
    // The last element line read ends with `,`: three elements are whole.
    assert_eq!(svc.elements.len(), 3);

    let (recs, p) = nft_of("nft-1.0.9--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![4, 7, 10, 13]);
    assert_eq!(sets(&recs)[0].elements.len(), 1);
    assert_eq!(rules(&recs).len(), 1);
}

// ---------------------------------------------------------------- ipset

#[test]
fn ipset_kube_proxy_sets() {
    let (recs, p) = ipsets("ipset-7.15--kube-proxy-list.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = set_list(&recs);
    let names: Vec<_> = s.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "KUBE-CLUSTER-IP",
            "KUBE-LOOP-BACK",
            "KUBE-NODE-PORT-TCP",
            "KUBE-NODE-PORT-UDP",
            "KUBE-NODE-PORT-LOCAL-TCP",
            "KUBE-EXTERNAL-IP",
            "KUBE-LOAD-BALANCER",
            "KUBE-HEALTH-CHECK-NODE-PORT",
            "KUBE-6-CLUSTER-IP",
        ]
    );
    let c = s[0];
    assert_eq!(
        (
            c.line,
            c.set_type.as_deref(),
            c.revision,
            c.family.as_deref(),
            c.hashsize,
            c.maxelem,
            c.bucketsize,
            c.initval.as_deref()
        ),
        (
            1,
            Some("hash:ip,port"),
            Some(6),
            Some("inet"),
            Some(1024),
            Some(65536),
            Some(12),
            Some("0x5a4c6d3e")
        )
    );
    assert_eq!(
        (c.size_in_memory, c.references, c.number_of_entries),
        (Some(600), Some(2), Some(6))
    );
    assert_eq!(c.members.len(), 6);
    let dns = c
        .members
        .iter()
        .find(|m| m.value == "10.96.0.10,udp:53")
        .unwrap();
    assert_eq!(
        (
            dns.address.as_deref(),
            dns.protocol.as_deref(),
            dns.port,
            dns.line
        ),
        (Some("10.96.0.10"), Some("udp"), Some(53), 12)
    );
    let lb = &s[1].members[0];
    assert_eq!(lb.address2.as_deref(), Some("10.244.1.5"));
    assert_eq!(s[2].range.as_deref(), Some("0-65535"));
    assert_eq!(s[2].members[0].port, Some(30080));
    assert_eq!(s[2].members[0].address, None);
    assert!(s[3].members.is_empty());
    assert_eq!(s[3].number_of_entries, Some(0));
    assert_eq!(s[8].family.as_deref(), Some("inet6"));
    assert_eq!(s[8].members[0].address.as_deref(), Some("fd00:10:96::1"));
    assert_eq!(
        s.iter()
            .map(|s| s.number_of_entries.unwrap() as usize)
            .sum::<usize>(),
        s.iter().map(|s| s.members.len()).sum::<usize>()
    );
}

#[test]
fn ipset_variants() {
    let (recs, p) = ipsets("ipset-6.29--numeric-proto.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = set_list(&recs);
    assert_eq!(s[0].number_of_entries, None);
    assert_eq!(s[0].revision, Some(5));
    let protos: Vec<_> = s[0]
        .members
        .iter()
        .map(|m| m.protocol.as_deref().unwrap())
        .collect();
    assert_eq!(protos, vec!["udp", "tcp", "tcp", "tcp", "tcp"]);
    assert_eq!(s[1].members[1].protocol.as_deref(), Some("udp"));

    let (recs, p) = ipsets("ipset-7.15--one-set.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(set_list(&recs).len(), 1);

    let (recs, p) = ipsets("ipset-7.15--save.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = set_list(&recs);
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].members.len(), 3);
    assert_eq!(s[0].maxelem, Some(65536));
    assert_eq!(s[1].members[0].port, Some(30080));
    let src = &s[2].members[0];
    assert_eq!(
        (src.port, src.address2.as_deref(), src.line),
        (Some(443), Some("203.0.113.0/24"), 8)
    );

    let (recs, p) = ipsets("ipset-7.15--counters-timeout.txt");
    assert_eq!(p.status, Status::Parsed);
    let s = set_list(&recs);
    assert_eq!(s[0].timeout, Some(300));
    assert_eq!(s[0].header_flags, vec!["counters", "comment"]);
    let m = &s[0].members[0];
    assert_eq!(
        (m.timeout, m.packets, m.bytes, m.comment.as_deref()),
        (Some(211), Some(42), Some(3360), Some("office vpn"))
    );
    assert!(s[0].members[2].nomatch);

    let (recs, p) = ipsets("ipset-7.15--no-set.txt");
    assert_eq!(p.status, Status::Parsed);
    let ipset::Record::Error(e) = &recs[0] else {
        panic!("no error")
    };
    assert_eq!(
        (e.version.as_str(), e.message.as_str()),
        ("7.15", "The set with the given name does not exist")
    );

    // `ipset list -n`: names only, read with the command line.
    let seg = Segment::with_command("KUBE-CLUSTER-IP\nKUBE-LOOP-BACK\n", 2, "ipset list -n");
    let out = ipset::parse(&seg);
    assert!(out.problems.is_empty());
    assert_eq!(out.records.len(), 2);
    assert_eq!(out.records[1].line(), 3);
}

#[test]
fn ipset_broken() {
    let (recs, p) = ipsets("ipset-7.15--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![22]);
    assert_eq!(set_list(&recs).len(), 2);
    let (recs, p) = ipsets("ipset-7.15--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![5, 11]);
    assert_eq!(set_list(&recs)[0].members.len(), 2);
}

// ---------------------------------------------------------------- detection

fn command_for(kind: &str) -> &'static str {
    match kind {
        "ipvsadm" => "ipvsadm -Ln",
        "nft" => "nft list ruleset",
        _ => "ipset list",
    }
}

/// Fixtures content alone cannot claim.
const NOT_BY_CONTENT: &[&str] = &["nft/nft-1.0.9--no-table.txt"];

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
        ("ipvsadm -Ln", Some("ipvsadm")),
        ("sudo ipvsadm -L -n --stats", Some("ipvsadm")),
        ("ipvsadm -Ln --rate", Some("ipvsadm")),
        ("ipvsadm -Ln -t 10.96.0.10:53", Some("ipvsadm")),
        ("ipvsadm", Some("ipvsadm")),
        ("ipvsadm -Lnc", None),
        ("nft list ruleset", Some("nft")),
        ("nft -a list table ip kube-proxy", Some("nft")),
        (
            "nft list chain ip kube-proxy service-5JZ3V6QA-shop/web/tcp/http",
            Some("nft"),
        ),
        ("nft list map ip kube-proxy service-ips", Some("nft")),
        ("ipset list", Some("ipset")),
        ("ipset list KUBE-CLUSTER-IP", Some("ipset")),
        ("ipset -L KUBE-LOOP-BACK", Some("ipset")),
        ("ipset save", Some("ipset")),
    ] {
        assert_eq!(kind(cmd).as_deref(), want, "{cmd}");
    }
}

#[test]
fn other_fixtures_are_not_claimed() {
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
fn pasted_together_they_split_by_kind() {
    // A node's datapath dump as one paste: three commands, three segments, nft's `ip daddr`
    // rule lines not taken for `ip` commands.
    let input = format!(
        "$ ipvsadm -Ln\n{}\n$ ipset list KUBE-CLUSTER-IP\n{}\n$ nft list table ip kube-proxy\n{}",
        read("ipvsadm/ipvsadm-1.31--one-service.txt"),
        read("ipset/ipset-7.15--one-set.txt"),
        read("nft/nft-1.0.9--kube-proxy-nftables.txt"),
    );
    let segs = segments(&input);
    let kinds: Vec<_> = segs
        .iter()
        .map(|s| s["detection"]["kind"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(kinds, vec!["ipvsadm", "ipset", "nft"]);
    assert!(segs.iter().all(|s| s["parsed"]["status"] == "parsed"));
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "9".repeat(100_000);
    let inputs = [
        "",
        "\u{0}\u{7f}ä€",
        "TCP  :",
        "TCP  [",
        "TCP  [::1",
        "FWM  x rr",
        "  -> ",
        "  -> :",
        "Prot LocalAddress:Port",
        "TCP  1.2.3.4:1 rr persistent",
        "TCP  1.2.3.4:1 1.5K 2.K K 9T 99999999999999999999T",
        "Name:",
        "Members:\n,,,",
        "Name: x\nMembers:\n,:,:,\n1,2,3,4 comment \"",
        "add x y",
        "create x hash:ip\nadd y 1",
        long.as_str(),
    ];
    for kind in KINDS {
        for input in inputs {
            let _ = parse_as(kind, &Segment::new(input, 1));
        }
    }
}
