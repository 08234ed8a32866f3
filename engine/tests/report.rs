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
