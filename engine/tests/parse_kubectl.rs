#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every fixture of the kubectl table parsers and `kubectl describe service`, parsed and
//! snapshotted, plus explicit checks of the facts the diagnosis leans on.

use netdoc::parse::{parse_as, Parsed, Records};
use netdoc::split::Segment;
use std::path::PathBuf;

/// (kind, fixture file, command line it was pasted under, if any)
const FIXTURES: &[(&str, &str, Option<&str>)] = &[
    (
        "kubectl-get-svc",
        "kubectl-1.28--plain.txt",
        Some("kubectl get svc -n shop"),
    ),
    (
        "kubectl-get-svc",
        "kubectl-1.30--wide.txt",
        Some("kubectl get svc -o wide"),
    ),
    (
        "kubectl-get-svc",
        "kubectl-1.29--all-namespaces.txt",
        Some("kubectl get svc -A"),
    ),
    ("kubectl-get-svc", "kubectl-1.6--no-type-column.txt", None),
    (
        "kubectl-get-svc",
        "kubectl-1.27--nodeport-loadbalancer-pending.txt",
        Some("kubectl get svc -n ingress-nginx"),
    ),
    (
        "kubectl-get-svc",
        "kubectl-1.28--two-tables-and-error.txt",
        None,
    ),
    (
        "kubectl-get-svc",
        "kubectl-1.29--no-resources.txt",
        Some("kubectl get svc -n shop"),
    ),
    (
        "kubectl-get-svc",
        "kubectl-1.28--headerless-rows.txt",
        Some("kubectl get svc -n shop"),
    ),
    ("kubectl-get-svc", "kubectl-1.28--garbled.txt", None),
    ("kubectl-get-svc", "kubectl--empty.txt", None),
    ("kubectl-get-endpoints", "kubectl-1.28--plain.txt", None),
    (
        "kubectl-get-endpoints",
        "kubectl-1.29--all-namespaces.txt",
        Some("kubectl get ep -A"),
    ),
    (
        "kubectl-get-endpoints",
        "kubectl-1.33--deprecation-warning.txt",
        Some("kubectl get endpoints -n shop"),
    ),
    (
        "kubectl-get-endpoints",
        "kubectl-1.28--headerless-rows.txt",
        Some("kubectl get ep -n kube-system"),
    ),
    ("kubectl-get-endpoints", "kubectl-1.28--garbled.txt", None),
    ("kubectl-get-endpoints", "kubectl--empty.txt", None),
    (
        "kubectl-get-endpointslices",
        "kubectl-1.28--plain.txt",
        None,
    ),
    (
        "kubectl-get-endpointslices",
        "kubectl-1.29--all-namespaces-dual-stack.txt",
        None,
    ),
    (
        "kubectl-get-endpointslices",
        "kubectl-1.28--garbled.txt",
        None,
    ),
    ("kubectl-get-endpointslices", "kubectl--empty.txt", None),
    (
        "kubectl-get-pods",
        "kubectl-1.28--plain.txt",
        Some("kubectl get pods -n shop"),
    ),
    (
        "kubectl-get-pods",
        "kubectl-1.30--wide.txt",
        Some("kubectl get pods -o wide"),
    ),
    ("kubectl-get-pods", "kubectl-1.10--wide-old.txt", None),
    (
        "kubectl-get-pods",
        "kubectl-1.29--show-labels.txt",
        Some("kubectl get po --show-labels -n shop"),
    ),
    (
        "kubectl-get-pods",
        "kubectl-1.29--all-namespaces.txt",
        Some("kubectl get pods -A"),
    ),
    (
        "kubectl-get-pods",
        "kubectl-1.7--headerless-rows.txt",
        Some("kubectl get po -n kube-system -l k8s-app=kube-dns"),
    ),
    ("kubectl-get-pods", "kubectl-1.28--garbled.txt", None),
    ("kubectl-get-pods", "kubectl-1.17--no-resources.txt", None),
    ("kubectl-get-pods", "kubectl--empty.txt", None),
    (
        "kubectl-describe-svc",
        "kubectl-1.11--single-port.txt",
        None,
    ),
    (
        "kubectl-describe-svc",
        "kubectl-1.28--multi-port-named-target.txt",
        None,
    ),
    (
        "kubectl-describe-svc",
        "kubectl-1.29--nodeport-local.txt",
        None,
    ),
    (
        "kubectl-describe-svc",
        "kubectl-1.30--endpoints-none.txt",
        None,
    ),
    (
        "kubectl-describe-svc",
        "kubectl-1.27--many-services.txt",
        None,
    ),
    ("kubectl-describe-svc", "kubectl-1.29--headless.txt", None),
    ("kubectl-describe-svc", "kubectl-1.28--garbled.txt", None),
    ("kubectl-describe-svc", "kubectl-1.28--not-found.txt", None),
    ("kubectl-describe-svc", "kubectl--empty.txt", None),
];

fn fixture_dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(kind)
}

fn read(kind: &str, file: &str) -> String {
    std::fs::read_to_string(fixture_dir(kind).join(file))
        .unwrap_or_else(|e| panic!("{kind}/{file}: {e}"))
}

fn parse(kind: &str, file: &str) -> Parsed {
    let cmd = FIXTURES
        .iter()
        .find(|(k, f, _)| *k == kind && *f == file)
        .and_then(|(_, _, c)| *c);
    let text = read(kind, file);
    let seg = match cmd {
        Some(c) => Segment::with_command(&text, 1, c),
        None => Segment::new(&text, 1),
    };
    parse_as(kind, &seg).expect("known kind")
}

#[test]
fn every_fixture_is_listed_and_snapshotted() {
    // Every file in the fixture folders is in the table (README excepted), and back.
    let kinds = [
        "kubectl-get-svc",
        "kubectl-get-endpoints",
        "kubectl-get-endpointslices",
        "kubectl-get-pods",
        "kubectl-describe-svc",
    ];
    for kind in kinds {
        for entry in std::fs::read_dir(fixture_dir(kind)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".txt") {
                assert!(
                    FIXTURES.iter().any(|(k, f, _)| *k == kind && *f == name),
                    "{kind}/{name} not in FIXTURES"
                );
            }
        }
        assert!(
            fixture_dir(kind).join("kubectl--empty.txt").exists(),
            "{kind} has no empty case"
        );
        assert!(
            fixture_dir(kind).join("README.md").exists(),
            "{kind} has no README"
        );
    }
    for (kind, file, _) in FIXTURES {
        let parsed = parse(kind, file);
        let name = format!("{kind}__{}", file.trim_end_matches(".txt"));
        insta::assert_json_snapshot!(name, parsed);
    }
}

fn svc(file: &str) -> (Vec<netdoc::parse::kubectl_get_svc::Record>, Parsed) {
    let p = parse("kubectl-get-svc", file);
    match &p.records {
        Records::KubectlGetSvc(r) => (r.clone(), p),
        _ => unreachable!(),
    }
}

fn pods(file: &str) -> (Vec<netdoc::parse::kubectl_get_pods::Record>, Parsed) {
    let p = parse("kubectl-get-pods", file);
    match &p.records {
        Records::KubectlGetPods(r) => (r.clone(), p),
        _ => unreachable!(),
    }
}

fn eps(file: &str) -> (Vec<netdoc::parse::kubectl_get_endpoints::Record>, Parsed) {
    let p = parse("kubectl-get-endpoints", file);
    match &p.records {
        Records::KubectlGetEndpoints(r) => (r.clone(), p),
        _ => unreachable!(),
    }
}

fn slices(
    file: &str,
) -> (
    Vec<netdoc::parse::kubectl_get_endpointslices::Record>,
    Parsed,
) {
    let p = parse("kubectl-get-endpointslices", file);
    match &p.records {
        Records::KubectlGetEndpointslices(r) => (r.clone(), p),
        _ => unreachable!(),
    }
}

fn described(file: &str) -> (Vec<netdoc::parse::kubectl_describe_svc::Record>, Parsed) {
    let p = parse("kubectl-describe-svc", file);
    match &p.records {
        Records::KubectlDescribeSvc(r) => (r.clone(), p),
        _ => unreachable!(),
    }
}

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

#[test]
fn svc_key_facts() {
    let (r, p) = svc("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].name, "backend");
    assert_eq!(r[0].line, 2);
    assert_eq!(r[0].namespace.as_deref(), Some("shop"));
    assert_eq!(r[0].cluster_ip, Some("10.96.45.12".parse().unwrap()));
    assert!(r[3].headless && r[3].cluster_ip.is_none());
    assert_eq!(r[4].external_ips, vec!["db.corp.example.com"]);
    assert!(r[0].selector.is_none());

    let (r, _) = svc("kubectl-1.30--wide.txt");
    assert_eq!(
        r[0].selector
            .as_ref()
            .unwrap()
            .get("tier")
            .map(String::as_str),
        Some("api")
    );
    assert!(r[2].selector.as_ref().unwrap().is_empty());
    assert_eq!(r[1].ports[0].node_port, Some(30080));

    let (r, _) = svc("kubectl-1.6--no-type-column.txt");
    assert_eq!(r[0].name, "kube-dns");
    assert_eq!(r[0].service_type, None);
    assert_eq!(r[0].cluster_ip, Some("10.0.0.10".parse().unwrap()));
    assert_eq!(r[0].ports.len(), 2);
    assert_eq!(
        (r[0].ports[0].port, r[0].ports[0].protocol.as_str()),
        (53, "UDP")
    );

    let (r, _) = svc("kubectl-1.29--all-namespaces.txt");
    assert_eq!(r[1].namespace.as_deref(), Some("kube-system"));
    assert_eq!(r[3].external_ips, vec!["203.0.113.10"]);

    let (r, _) = svc("kubectl-1.27--nodeport-loadbalancer-pending.txt");
    assert_eq!(r[0].external_ips, vec!["<pending>"]);

    let (r, p) = svc("kubectl-1.28--two-tables-and-error.txt");
    assert_eq!(r.len(), 2);
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r[1].namespace.as_deref(), Some("kube-system"));
    assert!(r[1].labels.as_ref().unwrap().contains_key("k8s-app"));

    let (r, p) = svc("kubectl-1.28--headerless-rows.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].service_type.as_deref(), Some("NodePort"));

    let (r, p) = svc("kubectl-1.29--no-resources.txt");
    assert!(r.is_empty() && p.problems.is_empty());

    let (r, p) = svc("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(problem_lines(&p), vec![3, 4, 5]);
}

#[test]
fn endpoints_key_facts() {
    let (r, p) = eps("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert!(r[0].addresses.is_empty());
    assert_eq!(r[1].addresses.len(), 2);
    assert_eq!(r[2].more, 3);
    assert_eq!(r[2].addresses[0].port, Some(53));

    let (r, p) = eps("kubectl-1.29--all-namespaces.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let backend = r.iter().find(|e| e.name == "backend").unwrap();
    assert!(backend.addresses.is_empty());
    assert_eq!(backend.age.as_deref(), Some("5d"));
    assert_eq!(backend.namespace.as_deref(), Some("shop"));
    assert_eq!(r[3].more, 1);

    let (r, p) = eps("kubectl-1.33--deprecation-warning.txt");
    assert_eq!(problem_lines(&p), vec![1]);
    assert_eq!(
        r[0].addresses[0].ip,
        "fd00:10:244:1::7".parse::<std::net::IpAddr>().unwrap()
    );

    let (r, p) = eps("kubectl-1.28--headerless-rows.txt");
    assert!(p.problems.is_empty());
    assert_eq!(
        (r[0].namespace.as_deref(), r[0].more),
        (Some("kube-system"), 3)
    );

    let (r, p) = eps("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(problem_lines(&p), vec![3, 4, 5]);
}

#[test]
fn endpointslices_key_facts() {
    let (r, p) = slices("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert!(r[0].endpoints.is_empty());
    assert_eq!(r[1].ports, vec![80, 443]);
    assert_eq!((r[4].endpoints.len(), r[4].more), (3, 2));
    let (r, _) = slices("kubectl-1.29--all-namespaces-dual-stack.txt");
    assert_eq!(r[1].address_type, "IPv6");
    assert!(r[2].ports.is_empty() && r[2].endpoints.is_empty());
    let (r, p) = slices("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(problem_lines(&p), vec![3, 4, 5]);
}

#[test]
fn pods_key_facts() {
    let (r, p) = pods("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r[0].status, "CrashLoopBackOff");
    assert_eq!(
        (r[0].ready_containers, r[0].total_containers),
        (Some(0), Some(1))
    );
    assert_eq!(
        (r[0].restarts, r[0].last_restart.as_deref()),
        (Some(5), Some("41s"))
    );
    assert_eq!(
        (r[1].status.as_str(), r[1].ready_containers),
        ("Running", Some(0))
    );
    assert_eq!(r[4].status, "Init:0/1");

    let (r, _) = pods("kubectl-1.30--wide.txt");
    assert_eq!(r[0].ip, Some("10.244.1.7".parse().unwrap()));
    assert_eq!(r[0].node.as_deref(), Some("worker-1"));
    assert_eq!(r[0].nominated_node, None);
    assert_eq!(r[2].ip, None);
    assert_eq!(r[2].node, None);

    let (r, _) = pods("kubectl-1.10--wide-old.txt");
    assert_eq!(r[1].node.as_deref(), Some("node02"));

    let (r, _) = pods("kubectl-1.29--show-labels.txt");
    assert_eq!(
        r[0].labels.as_ref().unwrap().get("app").map(String::as_str),
        Some("backend")
    );
    assert_eq!(r[0].namespace.as_deref(), Some("shop"));

    let (r, _) = pods("kubectl-1.29--all-namespaces.txt");
    assert_eq!(r[1].namespace.as_deref(), Some("kube-system"));
    assert_eq!(r[1].restarts, Some(17));

    let (r, p) = pods("kubectl-1.7--headerless-rows.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].name, "kube-dns-v17.1-j7nsx");
    assert_eq!(
        (r[0].ready_containers, r[0].total_containers),
        (Some(3), Some(3))
    );
    assert_eq!(r[0].namespace.as_deref(), Some("kube-system"));

    let (r, p) = pods("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(problem_lines(&p), vec![3, 4, 5, 6]);
}

#[test]
fn headerless_rows_without_a_command_are_problems() {
    let text = "kube-dns-v17.1-j7nsx    3/3   Running   0   33m\n";
    let p = parse_as("kubectl-get-pods", &Segment::new(text, 7)).unwrap();
    assert!(p.records.is_empty());
    assert_eq!(problem_lines(&p), vec![7]);
}

#[test]
fn describe_key_facts() {
    let (r, p) = described("kubectl-1.11--single-port.txt");
    assert!(p.problems.is_empty());
    let s = &r[0];
    assert_eq!(
        (s.name.as_str(), s.line, s.selector_line),
        ("redis-example", 1, Some(5))
    );
    assert_eq!(s.selector.get("redis").map(String::as_str), Some("example"));
    assert_eq!(
        (s.ip, s.ip_line),
        (Some("10.101.33.59".parse().unwrap()), Some(7))
    );
    let port = &s.ports[0];
    assert_eq!(
        (port.name.as_deref(), port.port, port.line),
        (Some("redis"), 6379, 8)
    );
    assert_eq!(
        port.target_port,
        Some(netdoc::parse::kubectl_table::TargetPort::Number(9121))
    );
    assert_eq!(port.target_port_line, Some(9));
    assert_eq!(port.endpoints.as_ref().unwrap().len(), 1);
    assert_eq!(port.endpoints_line, Some(10));

    let (r, p) = described("kubectl-1.28--multi-port-named-target.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = &r[0];
    assert_eq!(s.labels.len(), 2);
    assert_eq!(s.ports.len(), 2);
    assert_eq!(
        s.ports[0].target_port,
        Some(netdoc::parse::kubectl_table::TargetPort::Name(
            "http".into()
        ))
    );
    assert_eq!(s.ports[0].endpoints_more, 1);
    assert_eq!(s.ports[1].endpoints_line, Some(18));

    let (r, _) = described("kubectl-1.29--nodeport-local.txt");
    let s = &r[0];
    assert_eq!(s.ports[0].node_port, Some(30080));
    assert_eq!(s.ports[0].node_port_line, Some(13));
    assert_eq!(
        (
            s.external_traffic_policy.as_deref(),
            s.external_traffic_policy_line
        ),
        (Some("Local"), Some(16))
    );
    assert_eq!(s.events.len(), 1);
    assert_eq!(s.events[0].line, 21);

    let (r, _) = described("kubectl-1.30--endpoints-none.txt");
    assert_eq!(r[0].ports[0].endpoints, Some(vec![]));
    assert_eq!(r[0].ports[0].name, None);

    let (r, p) = described("kubectl-1.27--many-services.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].ports.len(), 3);
    assert_eq!(r[0].labels.len(), 3);
    assert_eq!(r[1].line, 27);
    assert_eq!(r[1].load_balancer_ingress, vec!["203.0.113.10"]);
    assert_eq!(r[1].health_check_node_port, Some(32001));

    let (r, _) = described("kubectl-1.29--headless.txt");
    assert_eq!(r[0].ip, None);
    assert_eq!(r[0].ports[0].endpoints, Some(vec![]));

    let (r, p) = described("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(problem_lines(&p), vec![5, 8, 9, 10]);

    let (r, p) = described("kubectl-1.28--not-found.txt");
    assert!(r.is_empty());
    assert_eq!(problem_lines(&p), vec![1]);
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "x".repeat(200_000);
    let inputs = [
        "NAME\n\u{0}\u{0}\n",
        "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE\nä ö ü ß € 😀\n",
        "NAME READY STATUS RESTARTS AGE\np 1/1 Running 3 ( ( ( ( ( ( ( ( (\n",
        "NAME ENDPOINTS AGE\ne + + + 1 more... + 2 more...\n",
        long.as_str(),
        "Name:\n  \n:::\nPort: x\nTargetPort: 1/TCP\n",
    ];
    for kind in [
        "kubectl-get-svc",
        "kubectl-get-endpoints",
        "kubectl-get-endpointslices",
        "kubectl-get-pods",
        "kubectl-describe-svc",
    ] {
        for text in inputs {
            let _ = parse_as(kind, &Segment::new(text, 1)).unwrap();
            let _ = parse_as(
                kind,
                &Segment::with_command(text, 1, "kubectl get po -A -o wide --show-labels"),
            )
            .unwrap();
        }
    }
}

#[test]
fn sniffers_pick_their_own_fixtures() {
    for (kind, file, _) in FIXTURES {
        let text = read(kind, file);
        let best =
            netdoc::detect::sniff_kind(netdoc::split::head(&text, netdoc::detect::SNIFF_LINES));
        let headerless = file.contains("headerless")
            || file.contains("no-resources")
            || file.contains("not-found")
            || file.contains("empty");
        if headerless {
            // Nothing to go on without the command line: no claim, or not a wrong one.
            assert!(
                // An `Error from server (NotFound)` line is a kubectl error by content.
                best.is_none()
                    || best == Some(*kind)
                    || file.contains("not-found") && best == Some("kubectl-error"),
                "{kind}/{file}: sniffed as {best:?}"
            );
        } else {
            assert_eq!(best, Some(*kind), "{kind}/{file}");
        }
    }
}

#[test]
fn a_whole_paste_goes_through_split_detect_parse() {
    let paste = "\
$ kubectl get po -n kube-system -l k8s-app=kube-dns
kube-dns-v17.1-j7nsx    3/3   Running   0   33m
$ kubectl get svc -n kube-system
NAME                   CLUSTER-IP     EXTERNAL-IP   PORT(S)         AGE
kube-dns               10.0.0.10      <none>        53/UDP,53/TCP   2d
$ kubectl get ep kube-dns -n kube-system
NAME       ENDPOINTS   AGE
kube-dns   <none>      2d
";
    let sniff = |h: &str| netdoc::detect::sniff_kind(h);
    let segs = netdoc::split::split(paste, &sniff);
    assert_eq!(segs.len(), 3);
    let kinds: Vec<_> = segs
        .iter()
        .map(|s| netdoc::detect::detect(s).kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            Some("kubectl-get-pods"),
            Some("kubectl-get-svc"),
            Some("kubectl-get-endpoints")
        ]
    );
    let pods = parse_as("kubectl-get-pods", &segs[0]).unwrap();
    assert!(pods.problems.is_empty());
    match pods.records {
        Records::KubectlGetPods(r) => {
            assert_eq!(
                (r[0].line, r[0].namespace.as_deref()),
                (2, Some("kube-system"))
            );
        }
        _ => unreachable!(),
    }
    match parse_as("kubectl-get-svc", &segs[1]).unwrap().records {
        Records::KubectlGetSvc(r) => assert_eq!(
            (r[0].line, r[0].cluster_ip),
            (5, Some("10.0.0.10".parse().unwrap()))
        ),
        _ => unreachable!(),
    }
    match parse_as("kubectl-get-endpoints", &segs[2]).unwrap().records {
        Records::KubectlGetEndpoints(r) => assert_eq!((r[0].line, r[0].addresses.len()), (8, 0)),
        _ => unreachable!(),
    }
}

#[test]
fn big_input_is_linear_and_bounded() {
    let mut text = String::from("NAME                       READY   STATUS    RESTARTS   AGE\n");
    for i in 0..50_000 {
        text.push_str(&format!(
            "web-{i:06}                 1/1     Running   0          5d\n"
        ));
    }
    let start = std::time::Instant::now();
    let p = parse_as("kubectl-get-pods", &Segment::new(&text, 1)).unwrap();
    assert_eq!(p.records.len(), 50_000);
    assert!(start.elapsed().as_secs() < 20);
    // A header of thousands of repeated words is not a header.
    let hostile = format!("{}\n{}\n", "NAME ".repeat(10_000), "x ".repeat(10_000));
    let p = parse_as("kubectl-get-pods", &Segment::new(&hostile, 1)).unwrap();
    assert!(!p.problems.is_empty());
}

#[test]
fn get_all_reads_only_its_own_table() {
    let text = "\
NAME                           READY   STATUS    RESTARTS   AGE
pod/backend-6d4cf56db6-x7k2p   1/1     Running   0          5d

NAME                 TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE
service/backend      ClusterIP   10.96.45.12   <none>        80/TCP    5d

NAME                      READY   UP-TO-DATE   AVAILABLE   AGE
deployment.apps/backend   1/1     1            1           5d
";
    let seg = Segment::with_command(text, 1, "kubectl get all -n shop");
    let p = parse_as("kubectl-get-svc", &seg).unwrap();
    match &p.records {
        Records::KubectlGetSvc(r) => {
            assert_eq!(r.len(), 1);
            assert_eq!(
                (r[0].name.as_str(), r[0].line, r[0].namespace.as_deref()),
                ("backend", 5, Some("shop"))
            );
        }
        _ => unreachable!(),
    }
    assert_eq!(problem_lines(&p), vec![1, 7]);
    let p = parse_as("kubectl-get-pods", &seg).unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(problem_lines(&p), vec![4, 7]);
}

#[test]
fn collapsed_spacing_still_finds_the_empty_endpoints_cell() {
    let text = "NAME ENDPOINTS AGE\nbackend 5d\nweb 10.244.1.7:8080 5d\n";
    let p = parse_as("kubectl-get-endpoints", &Segment::new(text, 1)).unwrap();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    match p.records {
        Records::KubectlGetEndpoints(r) => {
            assert!(r[0].addresses.is_empty());
            assert_eq!(r[0].age.as_deref(), Some("5d"));
            assert_eq!(r[1].addresses.len(), 1);
        }
        _ => unreachable!(),
    }
}
