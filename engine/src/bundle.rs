//! The evidence bundle: the five slices of evidence a network diagnosis stands on
//! (route/neighbour, socket, DNS, capture, NAT/conntrack), which of them the paste holds,
//! and the commands — with the paste's own names — that collect the missing ones; and
//! `netdoc collect`, a one-shot shell script that gathers them all with delimiters
//! `netdoc diagnose` reads back.

use crate::facts::Facts;
use crate::predicates::sh;
use serde::Serialize;

/// One slice of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// `route`, `socket`, `dns`, `capture`, `nat`.
    pub slice: &'static str,
    pub title: &'static str,
    /// Some output of this slice was read.
    pub present: bool,
    /// The kinds read for it.
    pub kinds: Vec<String>,
    /// Commands that collect it (empty when present).
    pub commands: Vec<String>,
}

/// The slices and the output kinds that belong to each.
pub const SLICES: &[(&str, &str, &[&str])] = &[
    (
        "route",
        "route / neighbour",
        &[
            "ip-route",
            "ip-route-get",
            "ip-neigh",
            "ip-rule",
            "ip-addr",
            "ip-link",
            "ping",
            "tracepath",
            "traceroute",
            "mtr",
        ],
    ),
    ("socket", "sockets", &["ss", "netstat"]),
    (
        "dns",
        "DNS",
        &[
            "resolv-conf",
            "nslookup",
            "dig",
            "host",
            "getent",
            "coredns-log",
        ],
    ),
    ("capture", "packet capture", &["tcpdump"]),
    (
        "nat",
        "NAT / conntrack",
        &[
            "iptables-save",
            "iptables-list",
            "ipvsadm",
            "nft",
            "ipset",
            "conntrack",
        ],
    ),
];

/// What the paste tells of where to look: the client pod and the Service in focus.
struct Target {
    pod: Option<String>,
    namespace: Option<String>,
    service: Option<String>,
    service_ns: Option<String>,
    ip: Option<String>,
    port: Option<u16>,
}

fn target(f: &Facts) -> Target {
    let client = f
        .probes
        .iter()
        .map(|p| (p.client_pod.clone(), p.client_namespace.clone()))
        .chain(
            f.lookups
                .iter()
                .map(|l| (l.client_pod.clone(), l.client_namespace.clone())),
        )
        .chain(
            f.resolvers
                .iter()
                .map(|r| (r.pod.clone(), r.namespace.clone())),
        )
        .find(|(p, _)| p.is_some());
    let svc = f
        .services
        .iter()
        .find(|s| s.in_focus && s.cluster_ip.is_some())
        .or_else(|| f.services.iter().find(|s| s.in_focus));
    let (pod, namespace) = client.unwrap_or((None, None));
    Target {
        namespace: namespace.or_else(|| svc.and_then(|s| s.namespace.clone())),
        pod,
        service: svc.map(|s| s.name.clone()),
        service_ns: svc.and_then(|s| s.namespace.clone()),
        ip: svc.and_then(|s| s.cluster_ip).map(|i| i.to_string()),
        port: svc.and_then(|s| s.ports.first()).map(|p| p.port),
    }
}

/// `kubectl exec -n NS POD -- ` for the client pod, or a placeholder.
fn exec(t: &Target) -> String {
    let ns = t
        .namespace
        .as_deref()
        .map(|n| format!("-n {} ", sh(n)))
        .unwrap_or_default();
    let pod = t
        .pod
        .as_deref()
        .map(sh)
        .unwrap_or_else(|| "<client-pod>".into());
    format!("kubectl exec {ns}{pod} -- ")
}

fn commands(slice: &str, t: &Target) -> Vec<String> {
    let x = exec(t);
    let ip = t.ip.clone().unwrap_or_else(|| "<cluster-ip>".into());
    let port = t
        .port
        .map(|p| p.to_string())
        .unwrap_or_else(|| "<port>".into());
    let fqdn = match (&t.service, &t.service_ns) {
        (Some(s), Some(n)) => format!("{s}.{n}.svc.cluster.local"),
        (Some(s), None) => s.clone(),
        _ => "<service>.<namespace>.svc.cluster.local".into(),
    };
    match slice {
        "route" => vec![
            format!("{x}ip route get {ip}"),
            format!("{x}ip neigh show"),
            format!("{x}ip -d link"),
        ],
        "socket" => vec![format!("{x}ss -tanp"), format!("{x}ss -tulnp")],
        "dns" => vec![
            format!("{x}cat /etc/resolv.conf"),
            format!("{x}nslookup {fqdn}"),
        ],
        "capture" => vec![format!(
            "timeout 15 tcpdump -ni any -c 200 'host {ip} and port {port}'   # on the node, as root"
        )],
        "nat" => vec![
            "iptables-save -t nat   # on the node, as root".to_string(),
            format!("conntrack -L -d {ip}   # on the node, as root"),
            "conntrack -S   # on the node, as root".to_string(),
        ],
        _ => Vec::new(),
    }
}

/// The `netdoc collect` command line for the paste's Service and client pod.
pub fn collect_command(f: &Facts) -> String {
    let t = target(f);
    let mut c = format!(
        "netdoc collect --svc {} -n {}",
        t.service
            .as_deref()
            .map(sh)
            .unwrap_or_else(|| "<service>".into()),
        t.service_ns
            .as_deref()
            .or(t.namespace.as_deref())
            .map(sh)
            .unwrap_or_else(|| "<namespace>".into())
    );
    if let Some(p) = &t.pod {
        c.push_str(&format!(" --pod {}", sh(p)));
    }
    c
}

/// Which slices the paste holds, and the commands for the others.
pub fn slices(f: &Facts) -> Vec<Slice> {
    let t = target(f);
    SLICES
        .iter()
        .map(|(id, title, kinds)| {
            let seen: Vec<String> = f
                .kinds_seen
                .iter()
                .filter(|k| kinds.contains(&k.as_str()))
                .cloned()
                .collect();
            let present = !seen.is_empty();
            Slice {
                slice: id,
                title,
                present,
                kinds: seen,
                commands: if present {
                    Vec::new()
                } else {
                    commands(id, &t)
                },
            }
        })
        .collect()
}

/// What `netdoc collect` is asked for.
#[derive(Debug, Clone, Default)]
pub struct CollectRequest {
    pub service: String,
    pub namespace: String,
    pub pod: Option<String>,
}

/// A POSIX shell script that gathers the whole bundle for one Service: the Kubernetes
/// objects and logs (where kubectl works), the client pod's view (`--pod`), and, run
/// with `--node` as root on a node, the datapath. Each output is introduced by a
/// `$ command` line, so `netdoc diagnose` splits and reads it exactly.
pub fn collect_script(r: &CollectRequest) -> String {
    let (svc, ns) = (sh(&r.service), sh(&r.namespace));
    let mut s = String::new();
    s.push_str(&format!(
        "#!/bin/sh\n\
# netdoc collect — the evidence bundle for Service {ns}/{svc}.\n\
# Usage:\n\
#   sh collect.sh > evidence.txt 2>&1            # where kubectl works\n\
#   sudo sh collect.sh --node >> evidence.txt 2>&1   # on the node that misbehaves\n\
#   netdoc diagnose evidence.txt\n\
# Nothing is changed: every command only reads. Review the output before sharing it.\n\
NS={ns}\nSVC={svc}\n"
    ));
    match &r.pod {
        Some(p) => s.push_str(&format!("POD={}\n", sh(p))),
        None => s.push_str("POD=\n"),
    }
    s.push_str(
        r#"
# Print the command as a prompt line, then its output (errors included).
run() {
  printf '$ %s\n' "$*"
  sh -c "$*" 2>&1 || true
  printf '\n'
}
have() { command -v "$1" >/dev/null 2>&1; }

if [ "$1" = "--node" ]; then
  CIP=$(kubectl get svc "$SVC" -n "$NS" -o jsonpath='{.spec.clusterIP}' 2>/dev/null)
  have iptables && run iptables -V
  have iptables-save && run iptables-save -t nat
  have ipvsadm && run ipvsadm -Ln
  have nft && run nft list table ip kube-proxy
  if have conntrack; then
    run conntrack -S
    [ -n "$CIP" ] && run conntrack -L -d "$CIP"
  fi
  run sysctl net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max net.ipv4.conf.all.rp_filter net.ipv4.ip_forward
  run ip -d link
  run ip route
  run ip neigh show
  [ -n "$CIP" ] && run ip route get "$CIP"
  run 'dmesg -T | tail -n 200'
  if have tcpdump && [ -n "$CIP" ]; then
    run timeout 15 tcpdump -ni any -c 200 host "$CIP"
  fi
  exit 0
fi

run kubectl get svc "$SVC" -n "$NS" -o yaml
run kubectl get endpointslices -n "$NS" -l kubernetes.io/service-name="$SVC" -o wide
run kubectl get endpoints "$SVC" -n "$NS"
run kubectl get pods -n "$NS" -o wide --show-labels
run kubectl get networkpolicy -n "$NS" -o yaml
run kubectl get ns --show-labels
run kubectl -n kube-system get svc kube-dns
run kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide
run kubectl -n kube-system logs -l k8s-app=kube-dns --tail=100
run kubectl -n kube-system logs -l k8s-app=kube-proxy --tail=100
run kubectl -n kube-system get cm kube-proxy -o yaml
run kubectl get events -n "$NS"
if [ -n "$POD" ]; then
  PORT=$(kubectl get svc "$SVC" -n "$NS" -o jsonpath='{.spec.ports[0].port}' 2>/dev/null)
  run kubectl exec -n "$NS" "$POD" -- cat /etc/resolv.conf
  run kubectl exec -n "$NS" "$POD" -- nslookup "$SVC.$NS.svc.cluster.local"
  run kubectl exec -n "$NS" "$POD" -- curl -sSv -m 5 "http://$SVC.$NS:${PORT:-80}/" -o /dev/null
  run kubectl exec -n "$NS" "$POD" -- ip route
  run kubectl exec -n "$NS" "$POD" -- ss -tanp
fi
"#,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_without_slices_asks_for_all_five_with_its_names() {
        let r = crate::diagnose(
            "$ kubectl exec -n shop client-7d9 -- curl -sS -m 5 http://web.shop:8080/\ncurl: (28) Connection timed out after 5001 milliseconds\n",
        );
        let ids: Vec<_> = r
            .evidence
            .iter()
            .filter(|s| !s.present)
            .map(|s| s.slice)
            .collect();
        assert_eq!(ids, ["route", "socket", "dns", "capture", "nat"]);
        let sock = &r.evidence[1].commands[0];
        assert_eq!(sock, "kubectl exec -n shop client-7d9 -- ss -tanp");
    }

    #[test]
    fn slices_present_are_named_by_their_kinds() {
        let r = crate::diagnose("$ ss -tan\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB  0      0      10.0.0.5:22        10.0.0.9:51234\n");
        let sock = r.evidence.iter().find(|s| s.slice == "socket").unwrap();
        assert!(sock.present && sock.commands.is_empty(), "{sock:?}");
        assert_eq!(sock.kinds, ["ss"]);
    }

    #[test]
    fn the_script_quotes_names_and_is_valid_sh() {
        let s = collect_script(&CollectRequest {
            service: "web".into(),
            namespace: "shop".into(),
            pod: Some("client-7d9".into()),
        });
        assert!(s.contains("NS=shop\nSVC=web\nPOD=client-7d9\n"), "{s}");
        assert!(
            !s.contains("iptables -F")
                && !s.contains("conntrack -F")
                && !s.contains("conntrack -D")
        );
    }
}
