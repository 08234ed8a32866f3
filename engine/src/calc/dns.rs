//! DNS search-list expansion under `ndots`: the exact, ordered names a stub resolver
//! asks for, as glibc and musl do it.
//!
//! A name ending in `.` is absolute: asked once, as is. Otherwise, when the name has
//! fewer dots than `ndots`, every search domain is appended in order first and the name
//! as typed is tried last; with at least `ndots` dots the name as typed goes first and the
//! search list follows. glibc and musl agree on this order; they differ in what stops the
//! walk (musl stops at the first answer that is not NXDOMAIN, glibc goes on after some
//! errors) and musl only searches when it has fewer dots than ndots, which is the case
//! this module describes. Each name costs an A and, unless the client asks for one
//! family only, an AAAA query.

use serde::Serialize;

/// The expansion of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    pub name: String,
    pub ndots: u32,
    /// Dots in the name as typed.
    pub dots: u32,
    pub absolute: bool,
    /// Names tried, in order (each fully qualified, with the trailing dot).
    pub tries: Vec<String>,
}

impl Expansion {
    /// Queries sent before an answer for the name as typed, counting A and AAAA.
    pub fn queries_with_aaaa(&self) -> usize {
        self.tries.len() * 2
    }

    /// Position (0-based) at which the name as typed is asked.
    pub fn as_typed_position(&self) -> Option<usize> {
        let fq = fqdn(&self.name);
        self.tries.iter().position(|t| *t == fq)
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Expand `name` with the search list and ndots of a resolv.conf.
pub fn expand(name: &str, search: &[String], ndots: u32) -> Expansion {
    let name = name.trim();
    let absolute = name.ends_with('.');
    let dots = name.trim_end_matches('.').matches('.').count() as u32;
    let mut tries = Vec::new();
    if absolute {
        tries.push(name.to_string());
    } else {
        let searched: Vec<String> = search
            .iter()
            .filter(|d| !d.trim_matches('.').is_empty())
            .map(|d| format!("{name}.{}.", d.trim_matches('.')))
            .collect();
        if dots >= ndots {
            tries.push(fqdn(name));
            tries.extend(searched);
        } else {
            tries.extend(searched);
            tries.push(fqdn(name));
        }
    }
    Expansion {
        name: name.to_string(),
        ndots,
        dots,
        absolute,
        tries,
    }
}

/// Which C library's stub resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    /// glibc (Debian, Ubuntu, RHEL, distroless/base): with at least `ndots` dots the name
    /// as typed goes first, then the search list.
    #[default]
    Glibc,
    /// musl (Alpine, busybox images built on it): with at least `ndots` dots the name is
    /// asked as typed only — the search list is not used at all.
    Musl,
}

/// Which address families a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// A and AAAA for every name (getaddrinfo with AF_UNSPEC: most clients).
    #[default]
    Both,
    /// A only (AF_INET, `curl -4`, Go with `GODEBUG=netdns=go` and an IPv4-only stack).
    A,
    /// AAAA only.
    Aaaa,
}

/// Everything `netdoc dns expand` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub name: String,
    pub libc: Libc,
    pub family: Family,
    pub ndots: u32,
    pub dots: u32,
    pub absolute: bool,
    pub search: Vec<String>,
    /// Names asked, in order, fully qualified.
    pub tries: Vec<String>,
    pub queries_per_try: usize,
    /// Queries sent when the name as typed is what answers (an external name).
    pub queries_until_as_typed: usize,
    /// Queries sent when no name answers (NXDOMAIN for all).
    pub queries_if_nxdomain: usize,
    /// What to change, when the walk costs more than one try.
    pub fixes: Vec<String>,
}

/// Expand `name` as `libc` does; see [`expand`] for glibc.
pub fn expand_as(name: &str, search: &[String], ndots: u32, libc: Libc) -> Expansion {
    let mut e = expand(name, search, ndots);
    if libc == Libc::Musl && !e.absolute && e.dots >= ndots {
        e.tries.truncate(1);
    }
    e
}

/// The full answer for one name.
pub fn report(name: &str, search: &[String], ndots: u32, libc: Libc, family: Family) -> Report {
    let e = expand_as(name, search, ndots, libc);
    let per = if family == Family::Both { 2 } else { 1 };
    let as_typed = e.as_typed_position().map_or(e.tries.len(), |p| p + 1);
    let mut fixes = Vec::new();
    if e.dots == 0 && !e.absolute {
        fixes.push(format!(
            "A single-label name is meant for the search list: `{}` answers on the first try when it is a Service in the pod's own namespace; from another namespace ask for `{}.<namespace>` (or the FQDN with a trailing dot).",
            e.name, e.name
        ));
    } else if as_typed > 1 {
        fixes.push(format!(
            "Ask for `{}` with a trailing dot: one try, {per} quer{}.",
            fqdn(&e.name),
            if per == 1 { "y" } else { "ies" }
        ));
        fixes.push(format!(
            "Or lower ndots for the pod (spec.dnsConfig.options: [{{name: ndots, value: \"{}\"}}]) so names with {} dot(s) are asked as typed first.",
            e.dots.max(1),
            e.dots
        ));
    }
    Report {
        name: e.name.clone(),
        libc,
        family,
        ndots,
        dots: e.dots,
        absolute: e.absolute,
        search: search.to_vec(),
        queries_per_try: per,
        queries_until_as_typed: as_typed * per,
        queries_if_nxdomain: e.tries.len() * per,
        tries: e.tries,
        fixes,
    }
}

/// The search list a pod in `namespace` gets (`ClusterFirst`, cluster domain `domain`).
pub fn pod_search(namespace: &str, domain: &str) -> Vec<String> {
    let d = domain.trim_matches('.');
    vec![
        format!("{namespace}.svc.{d}"),
        format!("svc.{d}"),
        d.to_string(),
    ]
}

/// The effective search list and ndots of a resolv.conf text (glibc: the last `search`
/// or `domain` line wins; ndots defaults to 1).
pub fn from_resolv_conf(text: &str) -> Result<(Vec<String>, u32), String> {
    let seg = crate::split::Segment::new(text, 1);
    let parsed = crate::parse::parse_as("resolv-conf", &seg)
        .ok_or_else(|| "resolv.conf parser missing".to_string())?;
    if let Some(p) = parsed.problems.first() {
        return Err(format!("resolv.conf line {}: {}", p.line, p.message));
    }
    match parsed.records {
        crate::parse::Records::ResolvConf(r) => {
            let r = r
                .first()
                .ok_or_else(|| "resolv.conf is empty".to_string())?;
            Ok((r.effective_search.clone(), r.ndots.unwrap_or(1)))
        }
        _ => Err("not a resolv.conf".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_search(ns: &str) -> Vec<String> {
        super::pod_search(ns, "cluster.local")
    }

    #[test]
    fn external_name_walks_the_whole_search_list_first() {
        let e = expand("api.external.com", &pod_search("default"), 5);
        assert_eq!(
            e.tries,
            vec![
                "api.external.com.default.svc.cluster.local.",
                "api.external.com.svc.cluster.local.",
                "api.external.com.cluster.local.",
                "api.external.com.",
            ]
        );
        assert_eq!(e.queries_with_aaaa(), 8);
        assert_eq!(e.as_typed_position(), Some(3));
    }

    #[test]
    fn enough_dots_or_a_trailing_dot_goes_first() {
        let e = expand("a.b.c.d.e.f", &pod_search("x"), 5);
        assert_eq!(e.tries[0], "a.b.c.d.e.f.");
        assert_eq!(e.tries.len(), 4);
        let e = expand("google.com.", &pod_search("x"), 5);
        assert_eq!(e.tries, vec!["google.com."]);
    }

    #[test]
    fn single_label_missing_name_costs_eight_queries() {
        let e = expand("backend", &pod_search("shop"), 5);
        assert_eq!(e.tries.len(), 4);
        assert_eq!(e.queries_with_aaaa(), 8);
        assert_eq!(e.tries[0], "backend.shop.svc.cluster.local.");
    }

    #[test]
    fn musl_does_not_search_names_with_enough_dots() {
        let g = expand_as("a.b.c.d.e.f", &pod_search("x"), 5, Libc::Glibc);
        let m = expand_as("a.b.c.d.e.f", &pod_search("x"), 5, Libc::Musl);
        assert_eq!(g.tries.len(), 4);
        assert_eq!(m.tries, vec!["a.b.c.d.e.f."]);
        // Fewer dots than ndots: both walk the list first.
        assert_eq!(
            expand_as("google.com", &pod_search("x"), 5, Libc::Musl)
                .tries
                .len(),
            4
        );
    }

    #[test]
    fn report_counts_queries_and_names_the_fix() {
        let r = report(
            "google.com",
            &super::pod_search("default", "cluster.local"),
            5,
            Libc::Glibc,
            Family::Both,
        );
        assert_eq!((r.queries_until_as_typed, r.queries_if_nxdomain), (8, 8));
        assert!(r.fixes[0].contains("`google.com.`"), "{:?}", r.fixes);
        let r = report(
            "google.com.",
            &super::pod_search("default", "cluster.local"),
            5,
            Libc::Glibc,
            Family::A,
        );
        assert_eq!((r.queries_until_as_typed, r.tries.len()), (1, 1));
        assert!(r.fixes.is_empty());
    }

    #[test]
    fn resolv_conf_text_gives_search_and_ndots() {
        let (search, ndots) = from_resolv_conf(
            "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
        )
        .unwrap();
        assert_eq!((search.len(), ndots), (3, 5));
        assert!(from_resolv_conf("garbage here\n").is_err());
    }
}
