//! The whole markdown report of the built-in example, reviewed line by line: what a user
//! of `netdoc diagnose --example` reads. A change here is a change users see.

#[test]
fn example_report_markdown() {
    let report = netdoc::diagnose(netdoc::EXAMPLE);
    let md = netdoc::render_markdown(&report);
    // The facts the review checked, so a careless snapshot update still fails here.
    assert!(md.starts_with("# netdoc report\n"));
    let first = md.find("## 1. `service-selector-mismatch`");
    let deny = md.find("`netpol-default-deny`");
    assert!(first.is_some() && deny.is_some() && first < deny, "{md}");
    assert!(md.contains("key `app` differs: the Service wants `api`, the pod has `backend`"));
    assert!(md.contains("kubectl get svc backend -n broken-net"));
    insta::assert_snapshot!(md);
}

/// A datapath dump lists every Service of the cluster; the open questions about the ones
/// the paste is not about stay out of the trace (a 10,000-Service iptables-save asked
/// 50,000 of them), while a Service the paste asks about keeps its own.
#[test]
fn open_questions_only_for_services_in_focus() {
    let dump = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/iptables-save/iptables-1.8.7--kube-proxy-nat.txt"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let paste = format!("$ iptables-save -t nat\n{dump}");
    let about = |r: &netdoc::report::Report, svc: &str, answer: &str| {
        r.trace
            .iter()
            .filter(|t| t.question.ends_with(svc) && t.answer == answer)
            .count()
    };
    let r = netdoc::diagnose(&paste);
    assert_eq!(
        about(&r, "default/nginx-ext", "unknown"),
        0,
        "{:#?}",
        r.trace
    );
    // What the dump answers about them stays.
    assert!(about(&r, "default/nginx-ext", "yes") > 0, "{:#?}", r.trace);

    let asked = format!(
        "$ kubectl get svc nginx-ext -n default\nNAME        TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE\nnginx-ext   ClusterIP   10.108.2.154   <none>        80/TCP    3d\n{paste}"
    );
    let r = netdoc::diagnose(&asked);
    assert!(
        about(&r, "default/nginx-ext", "unknown") > 0,
        "{:#?}",
        r.trace
    );
    assert_eq!(
        about(&r, "default/kubernetes", "unknown"),
        0,
        "{:#?}",
        r.trace
    );
}
