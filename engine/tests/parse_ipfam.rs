//! iproute2 and kernel-settings parsers (ip-route, ip-route-get, ip-addr, ip-link, ip-neigh,
//! ip-rule, sysctl) over every fixture in `tests/fixtures/<kind>/`, snapshotted, plus the key
//! facts of each fixture, detection by content and by command line, and that no other
//! parser's sniffer claims these outputs (nor these sniffers theirs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::ip_route::Destination;
use netdoc::parse::{
    ip_addr, ip_link, ip_neigh, ip_route, ip_route_get, ip_rule, sysctl, Parsed, Records, Status,
};
use netdoc::split::Segment;
use std::net::IpAddr;

const KINDS: &[&str] = &[
    "ip-route",
    "ip-route-get",
    "ip-addr",
    "ip-link",
    "ip-neigh",
    "ip-rule",
    "sysctl",
];

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> Destination {
    Destination::parse(s).unwrap()
}

macro_rules! getter {
    ($name:ident, $kind:literal, $variant:ident, $module:ident) => {
        fn $name(file: &str) -> (Vec<$module::Record>, Parsed) {
            let p = run($kind, &format!("{}/{file}", $kind));
            match &p.records {
                Records::$variant(r) => (r.clone(), p),
                _ => panic!("not {}", $kind),
            }
        }
    };
}

getter!(routes, "ip-route", IpRoute, ip_route);
getter!(gets, "ip-route-get", IpRouteGet, ip_route_get);
getter!(addrs, "ip-addr", IpAddr, ip_addr);
getter!(links, "ip-link", IpLink, ip_link);
getter!(neighs, "ip-neigh", IpNeigh, ip_neigh);
getter!(rules, "ip-rule", IpRule, ip_rule);
getter!(settings, "sysctl", Sysctl, sysctl);

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
    assert!(seen >= 50, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- ip-route

#[test]
fn route_tables() {
    let (r, p) = routes("iproute2-5.15--flannel-node.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 7);
    assert_eq!(r[0].ip, Destination::Default);
    assert_eq!(
        (r[0].via, r[0].dev.as_deref(), r[0].metric, r[0].src),
        (
            Some(ip("10.0.0.1")),
            Some("eth0"),
            Some(100),
            Some(ip("10.0.0.5"))
        )
    );
    assert_eq!(r[2].ip, net("10.0.0.1/32"));
    let flannel: Vec<_> = r
        .iter()
        .filter(|r| r.dev.as_deref() == Some("flannel.1"))
        .collect();
    assert_eq!(flannel.len(), 2);
    assert!(flannel.iter().all(|r| r.status == vec!["onlink"]));
    assert_eq!(flannel[0].via, Some(ip("10.244.1.0")));
    assert_eq!(r[6].status, vec!["linkdown"]);

    let (r, p) = routes("iproute2-6.1--calico-table-all.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[1].r#type.as_str(), r[1].ip),
        ("blackhole", net("10.244.3.0/26"))
    );
    assert_eq!(r[1].proto.as_deref(), Some("bird"));
    assert_eq!(r[4].dev.as_deref(), Some("tunl0"));
    assert_eq!(r[4].via, Some(ip("192.168.1.12")));
    let local: Vec<_> = r
        .iter()
        .filter(|r| r.table.as_deref() == Some("local"))
        .collect();
    assert_eq!(local.len(), 9);
    assert!(local.iter().any(|r| r.r#type == "broadcast"));
    assert_eq!(r[16].r#type, "multicast");
    assert_eq!(r[16].ip, net("ff00::/8"));

    let (r, p) = routes("iproute2-4.15--old-spacing.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[2].dev.as_deref(), Some("wg0"));
    assert_eq!(r[2].scope.as_deref(), Some("link"));
    assert_eq!(r[5].r#type, "unreachable");
    assert_eq!(r[6].r#type, "prohibit");

    let (r, p) = routes("iproute2-6.1--multipath-ipv6.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 7);
    assert_eq!(r[0].nexthops.len(), 2);
    assert_eq!(r[0].nexthops[1].weight, Some(2));
    assert_eq!(r[0].nexthops[1].status, vec!["linkdown"]);
    assert_eq!(r[1].mtu, Some(1400));
    assert_eq!(r[2].via, Some(ip("fe80::1")));
    assert_eq!(r[5].r#type, "unreachable");
    assert_eq!(r[6].pref.as_deref(), Some("medium"));
}

#[test]
fn route_broken() {
    let (r, p) = routes("iproute2-5.15--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![5]);
    assert_eq!(r.len(), 4);
    let (r, p) = routes("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![1, 3, 4, 5]);
    assert!(p.problems[2].message.contains("FIB table does not exist"));
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- ip-route-get

#[test]
fn route_get_answers() {
    let (r, p) = gets("iproute2-5.15--via-gateway.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (
            r[0].destination,
            r[0].via,
            r[0].dev.as_deref(),
            r[0].src,
            r[0].uid
        ),
        (
            Some(ip("10.96.0.10")),
            Some(ip("10.0.0.1")),
            Some("eth0"),
            Some(ip("10.0.0.5")),
            Some(0)
        )
    );
    assert_eq!(
        (r[0].kind.as_str(), r[0].error.as_deref()),
        ("unicast", None)
    );

    let (r, _) = gets("iproute2-6.1--local.txt");
    assert_eq!(
        (r[0].kind.as_str(), r[0].dev.as_deref()),
        ("local", Some("lo"))
    );
    assert_eq!(r[0].cache_flags, vec!["local"]);

    let (r, p) = gets("iproute2-4.15--no-uid.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!((r[0].uid, r[0].dev.as_deref()), (None, Some("flannel.1")));

    let (r, _) = gets("iproute2-6.1--from-iif-ipv6.txt");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].from, Some(ip("10.244.2.3")));
    assert_eq!(
        (r[0].iif.as_deref(), r[0].mtu, r[0].mark.as_deref()),
        (Some("cni0"), Some(1450), Some("0x4000"))
    );
    assert_eq!(r[1].via, Some(ip("fe80::1")));

    let (r, p) = gets("iproute2-6.1--unreachable.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].kind, "error");
    assert_eq!(r[0].error.as_deref(), Some("Network is unreachable"));
    let (r, _) = gets("iproute2-6.1--bad-prefix.txt");
    assert!(r[0]
        .error
        .as_deref()
        .unwrap()
        .starts_with("any valid prefix"));

    // With the command line, an error says which address it was about.
    let text = read("ip-route-get/iproute2-6.1--unreachable.txt");
    let seg = Segment::with_command(&text, 2, "ip route get 10.96.0.10");
    let out = ip_route_get::parse(&seg);
    assert_eq!(out.records[0].destination, Some(ip("10.96.0.10")));
    assert_eq!(out.records[0].line, 2);
}

#[test]
fn route_get_broken() {
    let (r, p) = gets("iproute2-5.15--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![3]));
    assert_eq!(r.len(), 1);
    let (r, p) = gets("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![1, 3, 4]);
    assert_eq!(r.len(), 1);
}

// ---------------------------------------------------------------- ip-addr

#[test]
fn addr_blocks() {
    let (r, p) = addrs("iproute2-5.15--pod-flannel.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 2);
    let eth0 = &r[1];
    assert_eq!(
        (eth0.name.as_str(), eth0.link.as_deref(), eth0.peer_ifindex),
        ("eth0", Some("if12"), Some(12))
    );
    assert_eq!((eth0.mtu, eth0.state.as_deref()), (Some(1450), Some("UP")));
    assert_eq!(eth0.mac.as_deref(), Some("0a:58:0a:f4:01:05"));
    assert_eq!(eth0.link_netnsid, Some(0));
    let a = &eth0.addresses[0];
    assert_eq!((a.address, a.prefix), (ip("10.244.1.5"), Some(24)));
    assert_eq!(a.broadcast, Some(ip("10.244.1.255")));
    assert_eq!(
        (a.scope.as_deref(), a.label.as_deref()),
        (Some("global"), Some("eth0"))
    );
    assert_eq!(eth0.addresses[1].family, "inet6");

    let (r, p) = addrs("iproute2-6.1--calico-node.txt");
    assert_eq!(p.status, Status::Parsed);
    let names: Vec<_> = r.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "lo",
            "ens5",
            "docker0",
            "tunl0",
            "kube-ipvs0",
            "cali1a2b3c4d5e6",
            "vxlan.calico",
            "wg0"
        ]
    );
    assert_eq!(r[1].altnames, vec!["enp0s5"]);
    assert_eq!(r[1].addresses[0].flags, vec!["dynamic"]);
    assert_eq!(r[1].addresses[0].valid_lft.as_deref(), Some("3409sec"));
    assert_eq!(
        (r[3].link.as_deref(), r[3].link_type.as_deref()),
        (Some("NONE"), Some("ipip"))
    );
    assert_eq!(r[4].addresses.len(), 2);
    assert_eq!(r[4].addresses[1].address, ip("10.96.0.10"));
    assert_eq!(r[5].peer_ifindex, Some(3));
    assert_eq!(r[6].mtu, Some(8951));
    assert_eq!(
        (r[7].link_type.as_deref(), r[7].mac.as_deref()),
        (Some("none"), None)
    );

    let (r, p) = addrs("iproute2-4.15--flannel-node-old.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[1].addresses[1].label.as_deref(), Some("eth0:1"));
    assert_eq!(r[1].addresses[1].flags, vec!["secondary"]);
    assert_eq!(r[2].name, "flannel.1");
    assert_eq!(r[4].master.as_deref(), Some("cni0"));
    assert!(r[4].addresses.is_empty());
}

#[test]
fn addr_other_shapes() {
    let (r, p) = addrs("iproute2-6.1--brief.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 6);
    assert_eq!(
        (r[3].name.as_str(), r[3].link.as_deref()),
        ("tunl0", Some("NONE"))
    );
    assert_eq!(r[5].addresses.len(), 2);
    assert_eq!(r[2].state.as_deref(), Some("DOWN"));

    let (r, p) = addrs("iproute2-6.1--brief-link.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[1].mac.as_deref(), Some("02:4a:2b:3c:1d:5e"));
    assert_eq!(r[1].flags, vec!["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
    assert_eq!(r[3].mac, None);
    assert_eq!(r[5].peer_ifindex, Some(9));

    let (r, p) = addrs("iproute2-5.15--oneline.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 3);
    assert_eq!(r[1].addresses.len(), 2);
    assert_eq!(r[1].addresses[0].valid_lft.as_deref(), Some("3409sec"));

    let (r, p) = addrs("iproute2-5.10--grep-inet.txt");
    assert_eq!(p.status, Status::Parsed);
    let named: Vec<_> = r.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(named, vec!["lo", "", "eth0", "", "flannel.1", "cni0"]);

    let (r, p) = addrs("iproute2-6.1--device-missing.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].name, "cni0");
    assert!(r[0].error.as_deref().unwrap().contains("does not exist"));
}

#[test]
fn addr_broken() {
    let (r, p) = addrs("iproute2-5.15--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![7]));
    assert_eq!(r.len(), 2);
    let (r, p) = addrs("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![1, 4, 5]);
    assert_eq!(r[0].addresses.len(), 1);
}

// ---------------------------------------------------------------- ip-link

#[test]
fn link_details() {
    let (r, p) = links("iproute2-6.1--d-flannel-vxlan.txt");
    assert_eq!(p.status, Status::Parsed);
    let f = &r[0];
    assert_eq!(
        (f.name.as_str(), f.mtu, f.mode.as_deref()),
        ("flannel.1", Some(1450), Some("DEFAULT"))
    );
    assert_eq!(
        (f.kind.as_deref(), f.id, f.dstport),
        (Some("vxlan"), Some(1), Some(8472))
    );
    assert_eq!(
        (f.local.as_deref(), f.dev.as_deref()),
        (Some("10.0.0.5"), Some("eth0"))
    );
    assert_eq!((f.learning, f.ttl.as_deref()), (Some(false), Some("auto")));

    let (r, p) = links("iproute2-4.15--d-calico-tunnels.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].name.as_str(), r[0].kind.as_deref()),
        ("tunl0", Some("ipip"))
    );
    assert_eq!(
        (r[0].remote.as_deref(), r[0].pmtudisc),
        (Some("any"), Some(false))
    );
    assert_eq!(
        (r[1].kind.as_deref(), r[1].id, r[1].dstport),
        (Some("vxlan"), Some(4096), Some(4789))
    );

    let (r, p) = links("iproute2-6.1--d-bridge-ports.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].kind.as_deref(), Some("bridge"));
    let ports: Vec<_> = r
        .iter()
        .filter(|r| r.master.as_deref() == Some("cni0"))
        .collect();
    assert_eq!(ports.len(), 2);
    assert!(ports.iter().all(|p| p.kind.as_deref() == Some("veth")
        && p.slave_kind.as_deref() == Some("bridge_slave")
        && p.port_state.as_deref() == Some("forwarding")));
    assert_eq!(
        (ports[0].hairpin, ports[1].hairpin),
        (Some(false), Some(true))
    );
    assert_eq!(r[3].kind.as_deref(), Some("wireguard"));
    assert_eq!(
        (r[4].kind.as_deref(), r[4].external, r[4].dstport),
        (Some("geneve"), true, Some(6081))
    );
    assert_eq!(r[5].kind.as_deref(), Some("dummy"));

    let (r, p) = links("iproute2-5.15--cilium-node.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 7);
    assert_eq!(
        (r[2].name.as_str(), r[2].link.as_deref()),
        ("cilium_net", Some("cilium_host"))
    );
    assert_eq!(r[2].peer_ifindex, None);
    assert_eq!((r[5].peer_ifindex, r[5].link_netnsid), (Some(8), Some(1)));
    assert_eq!(r[1].altnames, vec!["enp0s5"]);

    let (r, p) = links("iproute2-6.1--stats.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r.len(), r[0].altnames.clone()),
        (1, vec!["enp0s3".to_string()])
    );

    let (r, _) = links("iproute2-6.1--device-missing.txt");
    assert_eq!(r[0].name, "flannel.1");
    assert!(r[0].error.is_some());
}

#[test]
fn link_broken() {
    let (r, p) = links("iproute2-5.15--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![6]));
    assert_eq!(r.len(), 2);
    let (r, p) = links("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![1, 4, 5]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].details.len(), 1);
}

// ---------------------------------------------------------------- ip-neigh

#[test]
fn neighbours() {
    let (r, p) = neighs("iproute2-5.15--node.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 8);
    assert_eq!(
        (r[0].ip, r[0].lladdr.as_deref(), r[0].state.as_deref()),
        (ip("10.0.0.1"), Some("52:54:00:12:34:56"), Some("REACHABLE"))
    );
    assert_eq!(
        (r[3].lladdr.as_deref(), r[3].state.as_deref()),
        (None, Some("FAILED"))
    );
    let perm: Vec<_> = r
        .iter()
        .filter(|r| r.state.as_deref() == Some("PERMANENT"))
        .collect();
    assert!(perm.len() == 2 && perm.iter().all(|r| r.dev.as_deref() == Some("flannel.1")));
    assert!(r[7].router);

    let (r, p) = neighs("iproute2-4.15--failed-incomplete.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[2].state.as_deref(), Some("INCOMPLETE"));

    let (r, _) = neighs("iproute2-6.1--ipv6-stats.txt");
    assert!(r[0].router);
    assert_eq!(r[2].state.as_deref(), Some("FAILED"));
    assert_eq!(
        (r[3].flags.clone(), r[3].proto.as_deref()),
        (vec!["extern_learn".to_string()], Some("zebra"))
    );

    // `ip neigh show dev flannel.1` prints no `dev`: the command line gives it.
    let (r, _) = neighs("iproute2-6.1--show-dev-flannel.txt");
    assert!(r.iter().all(|r| r.dev.is_none()));
    let text = read("ip-neigh/iproute2-6.1--show-dev-flannel.txt");
    let out = ip_neigh::parse(&Segment::with_command(
        &text,
        2,
        "ip neigh show dev flannel.1",
    ));
    assert!(out
        .records
        .iter()
        .all(|r| r.dev.as_deref() == Some("flannel.1")));
    assert_eq!(out.records[0].line, 2);
}

#[test]
fn neigh_broken() {
    let (r, p) = neighs("iproute2-5.15--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![3]));
    assert_eq!(r.len(), 2);
    let (r, p) = neighs("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 3, 4]);
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- ip-rule

#[test]
fn rule_tables() {
    let (r, p) = rules("iproute2-4.15--default.txt");
    assert_eq!(p.status, Status::Parsed);
    let t: Vec<_> = r
        .iter()
        .map(|r| (r.priority, r.table.clone().unwrap()))
        .collect();
    assert_eq!(
        t,
        vec![
            (0, "local".into()),
            (32766, "main".into()),
            (32767, "default".into())
        ]
    );
    let (r, _) = rules("iproute2-6.1--cilium.txt");
    assert_eq!(
        (r[0].priority, r[0].fwmark.as_deref(), r[0].table.as_deref()),
        (9, Some("0x200/0xf00"), Some("2004"))
    );
    assert_eq!((r[1].priority, r[1].table.as_deref()), (100, Some("local")));
    let (r, _) = rules("iproute2-6.1--wireguard.txt");
    assert_eq!(r[1].suppress_prefixlength, Some(0));
    assert!(r[2].not);
    assert_eq!(r[2].table.as_deref(), Some("51820"));
    let (r, p) = rules("iproute2-5.10--aws-vpc-cni.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[1].to.as_deref(), Some("10.0.97.30"));
    assert_eq!(
        (r[4].from.as_deref(), r[4].table.as_deref()),
        (Some("10.0.97.30"), Some("2"))
    );
    assert_eq!(
        (r[5].iif.as_deref(), r[5].status.clone()),
        (Some("eth9"), vec!["detached".to_string()])
    );
    assert_eq!(
        (r[6].action.as_deref(), r[6].table.as_deref()),
        (Some("unreachable"), None)
    );
}

#[test]
fn rule_broken() {
    let (r, p) = rules("iproute2-5.15--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![3]));
    assert_eq!(r.len(), 2);
    let (r, p) = rules("iproute2-5.15--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 3, 4, 5]);
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- sysctl

#[test]
fn settings_in_every_spelling() {
    let value = |r: &[sysctl::Record], k: &str| {
        r.iter()
            .find(|r| r.key == k)
            .and_then(|r| r.value.clone())
            .unwrap_or_else(|| panic!("no {k}"))
    };
    let (r, p) = settings("procps-ng-3.3.17--grep-net.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(value(&r, "net.ipv4.ip_forward"), "1");
    assert_eq!(value(&r, "net.bridge.bridge-nf-call-iptables"), "1");
    assert_eq!(value(&r, "net.ipv4.conf.flannel/1.rp_filter"), "0");
    assert_eq!(value(&r, "net.ipv4.ip_local_port_range"), "32768\t60999");

    let (r, _) = settings("procps-ng-4.0.2--conntrack-full.txt");
    assert_eq!(value(&r, "net.netfilter.nf_conntrack_count"), "131070");
    assert_eq!(value(&r, "net.netfilter.nf_conntrack_max"), "131072");

    let (r, p) = settings("procps-ng-3.3.12--br-netfilter-missing.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(value(&r, "net.ipv4.ip_forward"), "0");
    let missing = r
        .iter()
        .find(|r| r.key == "net.bridge.bridge-nf-call-iptables")
        .unwrap();
    assert_eq!(
        (missing.value.as_deref(), missing.error.as_deref()),
        (None, Some("No such file or directory"))
    );
    assert_eq!(r[3].error.as_deref(), Some("permission denied"));

    let (r, p) = settings("sysfs--hairpin-loop.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        value(
            &r,
            "/sys/devices/virtual/net/cni0/brif/veth91d0b2aa/hairpin_mode"
        ),
        "1"
    );
    let (r, p) = settings("grep--proc-sys-rp-filter.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(value(&r, "net.ipv4.conf.cni0.rp_filter"), "2");
    assert_eq!(value(&r, "net.ipv4.conf.flannel/1.rp_filter"), "0");

    // A bare value needs the command line that names its key.
    let (r, p) = settings("proc--bare-value.txt");
    assert_eq!((r.len(), p.status), (0, Status::Error));
    let text = read("sysctl/proc--bare-value.txt");
    for cmd in [
        "cat /proc/sys/net/ipv4/ip_forward",
        "sysctl -n net.ipv4.ip_forward",
        "sysctl -n net/ipv4/ip_forward",
    ] {
        let out = sysctl::parse(&Segment::with_command(&text, 2, cmd));
        assert_eq!(out.records.len(), 1, "{cmd}");
        assert_eq!(out.records[0].key, "net.ipv4.ip_forward", "{cmd}");
        assert_eq!(
            (out.records[0].value.as_deref(), out.records[0].line),
            (Some("1"), 2)
        );
    }
}

#[test]
fn settings_broken() {
    let (r, p) = settings("procps-ng-3.3.17--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Partial, vec![3]));
    assert_eq!(r.len(), 2);
    let (r, p) = settings("procps-ng-3.3.17--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 4]);
    assert_eq!(r.len(), 2);
}

// ---------------------------------------------------------------- detection

/// A command line that produces a fixture.
fn command_for(rel: &str) -> &'static str {
    match rel.split('/').next().unwrap() {
        "ip-route" => "ip route show table all",
        "ip-route-get" => "ip route get 10.96.0.10",
        "ip-addr" if rel.contains("brief-link") => "ip -br link",
        "ip-addr" if rel.contains("brief") => "ip -br a",
        "ip-addr" if rel.contains("oneline") => "ip -o addr",
        "ip-addr" => "ip a",
        "ip-link" => "ip -d link show",
        "ip-neigh" => "ip neigh",
        "ip-rule" => "ip rule",
        _ if rel.contains("bare-value") => "cat /proc/sys/net/ipv4/ip_forward",
        _ if rel.contains("hairpin") => {
            "for f in /sys/devices/virtual/net/cni0/brif/*/hairpin_mode; do echo $f $(cat $f); done"
        }
        _ if rel.contains("grep--") => "grep . /proc/sys/net/ipv4/conf/*/rp_filter",
        _ => "sysctl -a | grep net",
    }
}

/// Fixtures content alone cannot claim: one error line, a bare value.
const NOT_BY_CONTENT: &[&str] = &[
    "ip-route-get/iproute2-6.1--unreachable.txt",
    "ip-route-get/iproute2-6.1--bad-prefix.txt",
    "ip-addr/iproute2-6.1--device-missing.txt",
    "ip-link/iproute2-6.1--device-missing.txt",
    "sysctl/proc--bare-value.txt",
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
            let cmd = command_for(&rel);
            let seg = one_segment_of(
                &format!("$ {cmd}\n{text}"),
                kind,
                &format!("{rel} with command"),
            );
            if !rel.contains("bare-value") {
                let expect = run(kind, &rel);
                let status = serde_json::to_value(expect.status).unwrap();
                assert_eq!(seg["parsed"]["status"], status, "{rel} with command");
            } else {
                assert_eq!(seg["parsed"]["status"], "parsed");
            }
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
        ("ip r", Some("ip-route")),
        ("ip -4 route show", Some("ip-route")),
        ("ip -6 ro", Some("ip-route")),
        ("sudo ip route show table all", Some("ip-route")),
        ("ip route get 10.96.0.10", Some("ip-route-get")),
        ("ip r g 8.8.8.8", Some("ip-route-get")),
        ("ip a", Some("ip-addr")),
        ("ip -4 a", Some("ip-addr")),
        ("ip addr show dev eth0", Some("ip-addr")),
        ("ip -br addr", Some("ip-addr")),
        ("ip -br link", Some("ip-addr")),
        ("kubectl exec -it debug -- ip a", Some("ip-addr")),
        ("ip netns exec cni-1234 ip a", Some("ip-addr")),
        ("nsenter -t 4242 -n ip route", Some("ip-route")),
        ("ip link", Some("ip-link")),
        ("ip -d link show flannel.1", Some("ip-link")),
        ("ip -d link show type vxlan", Some("ip-link")),
        ("ip neigh", Some("ip-neigh")),
        ("ip n show dev flannel.1", Some("ip-neigh")),
        ("ip rule", Some("ip-rule")),
        ("ip ru list", Some("ip-rule")),
        ("sysctl net.ipv4.ip_forward", Some("sysctl")),
        ("sysctl -a | grep conntrack", Some("sysctl")),
        ("cat /proc/sys/net/ipv4/ip_forward", Some("sysctl")),
        (
            "cat /sys/class/net/veth1/brport/hairpin_mode",
            Some("sysctl"),
        ),
        (
            "grep -H . /sys/class/net/*/brport/hairpin_mode",
            Some("sysctl"),
        ),
        ("cat /etc/resolv.conf", Some("resolv-conf")),
        ("ip -j route", None),
        ("ip route add 10.0.0.0/8 dev eth0", None),
    ] {
        assert_eq!(kind(cmd).as_deref(), want, "{cmd}");
    }
}

#[test]
fn sniffers_do_not_cross() {
    use netdoc::parse::registry::info;
    // Ours against everyone: on our fixtures our sniffer beats every other one.
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
    // Everyone else's fixtures: none of our sniffers claims them.
    let dir = fixtures_dir();
    for e in std::fs::read_dir(&dir).unwrap() {
        let kind = e.unwrap().file_name().to_string_lossy().to_string();
        if KINDS.contains(&kind.as_str()) || info(&kind).is_none() {
            continue;
        }
        for f in files(&kind) {
            let text = read(&format!("{kind}/{f}"));
            let head = netdoc::split::head(&text, 40);
            let theirs = (info(&kind).unwrap().sniff)(head).unwrap_or(0.0);
            for ours in KINDS {
                let mine = (info(ours).unwrap().sniff)(head).unwrap_or(0.0);
                assert!(
                    mine == 0.0 || mine < theirs,
                    "{kind}/{f}: {ours} sniffs {mine} (theirs {theirs})"
                );
            }
        }
    }
}

#[test]
fn a_node_dump_splits_into_its_commands() {
    let input = format!(
        "$ ip -d link show flannel.1\n{}\n$ ip route\n{}\n$ ip neigh show dev flannel.1\n{}\n$ sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables\n{}",
        read("ip-link/iproute2-6.1--d-flannel-vxlan.txt"),
        read("ip-route/iproute2-5.15--flannel-node.txt"),
        read("ip-neigh/iproute2-6.1--show-dev-flannel.txt"),
        "net.ipv4.ip_forward = 1\nsysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n",
    );
    let segs = segments(&input);
    let kinds: Vec<_> = segs
        .iter()
        .map(|s| s["detection"]["kind"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(kinds, vec!["ip-link", "ip-route", "ip-neigh", "sysctl"]);
    assert!(
        segs.iter().all(|s| s["parsed"]["status"] == "parsed"),
        "{segs:?}"
    );
    // The same outputs pasted without commands, blank-line separated, split by content.
    let bare = format!(
        "{}\n{}\n{}",
        read("ip-addr/iproute2-5.15--pod-flannel.txt"),
        read("ip-route/iproute2-5.15--flannel-node.txt"),
        read("ip-rule/iproute2-6.1--cilium.txt"),
    );
    let kinds: Vec<_> = segments(&bare)
        .iter()
        .map(|s| s["detection"]["kind"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(kinds, vec!["ip-addr", "ip-route", "ip-rule"]);
}
