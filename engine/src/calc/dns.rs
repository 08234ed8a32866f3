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

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_search(ns: &str) -> Vec<String> {
        vec![
            format!("{ns}.svc.cluster.local"),
            "svc.cluster.local".into(),
            "cluster.local".into(),
        ]
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
}
