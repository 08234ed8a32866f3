//! Allowed connections as per-protocol port interval sets (SCTP, TCP, UDP × 1-65535).

use serde::{Serialize, Serializer};

/// The protocols a NetworkPolicy port can name, in the order upstream prints them.
pub const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];

/// Index of a protocol name in [`PROTOCOLS`] (case-insensitive).
pub fn protocol_index(p: &str) -> Option<usize> {
    PROTOCOLS.iter().position(|q| q.eq_ignore_ascii_case(p))
}

/// A set of (protocol, port) pairs: per protocol, sorted, disjoint, non-touching ranges
/// within 1-65535.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet {
    ranges: [Vec<(u16, u16)>; 3],
}

impl PortSet {
    /// Nothing allowed.
    pub fn none() -> PortSet {
        PortSet::default()
    }

    /// Every port of every protocol.
    pub fn all() -> PortSet {
        PortSet {
            ranges: [vec![(1, 65535)], vec![(1, 65535)], vec![(1, 65535)]],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.ranges.iter().all(|r| r.as_slice() == [(1, 65535)])
    }

    /// Add `lo..=hi` of protocol `proto` (an index into [`PROTOCOLS`]); port 0 is dropped.
    pub fn add(&mut self, proto: usize, lo: u16, hi: u16) {
        let lo = lo.max(1);
        if hi < lo || proto >= PROTOCOLS.len() {
            return;
        }
        let v = &mut self.ranges[proto];
        v.push((lo, hi));
        v.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(v.len());
        for &(a, b) in v.iter() {
            match merged.last_mut() {
                Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *v = merged;
    }

    /// Add every port of a protocol.
    pub fn add_protocol(&mut self, proto: usize) {
        self.add(proto, 1, 65535);
    }

    pub fn union_with(&mut self, other: &PortSet) {
        for (p, r) in other.ranges.iter().enumerate() {
            for &(a, b) in r {
                self.add(p, a, b);
            }
        }
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::none();
        for p in 0..PROTOCOLS.len() {
            for &(a, b) in &self.ranges[p] {
                for &(c, d) in &other.ranges[p] {
                    let lo = a.max(c);
                    let hi = b.min(d);
                    if lo <= hi {
                        out.ranges[p].push((lo, hi));
                    }
                }
            }
        }
        out
    }

    pub fn contains(&self, proto: usize, port: u16) -> bool {
        self.ranges
            .get(proto)
            .is_some_and(|r| r.iter().any(|&(a, b)| a <= port && port <= b))
    }

    /// The ranges of one protocol.
    pub fn ranges(&self, proto: usize) -> &[(u16, u16)] {
        self.ranges
            .get(proto)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The normalized form: `["TCP 8080-8081", "UDP 53"]` (empty for nothing).
    pub fn items(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (p, name) in PROTOCOLS.iter().enumerate() {
            for &(a, b) in &self.ranges[p] {
                out.push(range_text(name, a, b));
            }
        }
        out
    }

    /// Upstream's text: `All Connections`, `No Connections`, or `SCTP 7070,TCP 8080,9090,UDP 53`.
    pub fn text(&self) -> String {
        if self.is_all() {
            return "All Connections".into();
        }
        if self.is_empty() {
            return "No Connections".into();
        }
        let mut parts = Vec::new();
        for (p, name) in PROTOCOLS.iter().enumerate() {
            for (i, &(a, b)) in self.ranges[p].iter().enumerate() {
                let r = if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                };
                parts.push(if i == 0 { format!("{name} {r}") } else { r });
            }
        }
        parts.join(",")
    }

    /// The serializable form.
    pub fn conns(&self) -> Conns {
        if self.is_all() {
            Conns::All
        } else {
            Conns::Ports(self.items())
        }
    }
}

fn range_text(name: &str, a: u16, b: u16) -> String {
    if a == b {
        format!("{name} {a}")
    } else {
        format!("{name} {a}-{b}")
    }
}

/// `"All Connections"` or the list of `"PROTO N"` / `"PROTO LO-HI"` items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conns {
    All,
    Ports(Vec<String>),
}

impl Serialize for Conns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Conns::All => s.serialize_str("All Connections"),
            Conns::Ports(v) => v.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_prints_like_upstream() {
        let mut s = PortSet::none();
        s.add(1, 8081, 8081);
        s.add(1, 8082, 8082);
        s.add(1, 9090, 9090);
        s.add(2, 8080, 8080);
        assert_eq!(s.text(), "TCP 8081-8082,9090,UDP 8080");
        assert_eq!(s.items(), vec!["TCP 8081-8082", "TCP 9090", "UDP 8080"]);
        let mut all = PortSet::none();
        for p in 0..3 {
            all.add(p, 1, 65535);
        }
        assert!(all.is_all());
        assert_eq!(all.conns(), Conns::All);
        let i = s.intersect(&PortSet::all());
        assert_eq!(i, s);
        assert!(s.contains(1, 8082) && !s.contains(1, 8083));
    }
}
