//! IPv4 address ranges: `ipBlock`s as interval sets, the partition of the address space
//! into peers, and the minimal CIDR cover of a range.

use ipnet::{Ipv4Net, Ipv4Subnets};
use std::net::Ipv4Addr;

/// An inclusive range of IPv4 addresses as numbers.
pub type Range = (u32, u32);

/// `cidr` minus every `except`, as sorted disjoint ranges; `Err` names a CIDR that is not
/// IPv4 (IPv6 blocks are out of scope).
pub fn block(cidr: &str, except: &[String]) -> Result<Vec<Range>, String> {
    let mut set = vec![net_range(cidr)?];
    for e in except {
        let (a, b) = net_range(e)?;
        let mut next = Vec::with_capacity(set.len() + 1);
        for (x, y) in set {
            if b < x || a > y {
                next.push((x, y));
                continue;
            }
            if a > x {
                next.push((x, a - 1));
            }
            if b < y {
                next.push((b + 1, y));
            }
        }
        set = next;
    }
    Ok(set)
}

fn net_range(cidr: &str) -> Result<Range, String> {
    let t = cidr.trim();
    let net: Ipv4Net = match t.parse() {
        Ok(n) => n,
        Err(_) => match t.parse::<Ipv4Addr>() {
            Ok(a) => Ipv4Net::from(a),
            Err(_) => return Err(format!("`{t}` is not an IPv4 CIDR")),
        },
    };
    Ok((u32::from(net.network()), u32::from(net.broadcast())))
}

/// Does `set` hold every address of `r`?
pub fn covers(set: &[Range], r: Range) -> bool {
    set.iter().any(|&(a, b)| a <= r.0 && r.1 <= b)
}

/// Cut the address space into peers: addresses that belong to exactly the same blocks form
/// one class, and each maximal contiguous range of a class is one peer. No blocks → one
/// peer, 0.0.0.0-255.255.255.255.
pub fn partition(blocks: &[Vec<Range>]) -> Vec<Range> {
    let mut cuts: Vec<u64> = vec![0, 1 << 32];
    for b in blocks {
        for &(x, y) in b {
            cuts.push(u64::from(x));
            cuts.push(u64::from(y) + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(Range, Vec<bool>)> = Vec::new();
    for w in cuts.windows(2) {
        let (Ok(lo), Ok(hi)) = (u32::try_from(w[0]), u32::try_from(w[1] - 1)) else {
            continue;
        };
        let sig: Vec<bool> = blocks.iter().map(|b| covers(b, (lo, lo))).collect();
        match out.last_mut() {
            Some((r, s)) if *s == sig => r.1 = hi,
            _ => out.push(((lo, hi), sig)),
        }
    }
    out.into_iter().map(|(r, _)| r).collect()
}

/// `FIRST-LAST` as upstream prints it.
pub fn range_text(r: Range) -> String {
    format!("{}-{}", Ipv4Addr::from(r.0), Ipv4Addr::from(r.1))
}

/// The minimal CIDR cover of a range, ascending, joined by `,`.
pub fn cidr_cover(r: Range) -> String {
    Ipv4Subnets::new(Ipv4Addr::from(r.0), Ipv4Addr::from(r.1), 0)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipblockstest_partition() {
        let b = block(
            "0.0.0.0/0",
            &[
                "10.0.0.0/8".into(),
                "172.21.0.0/16".into(),
                "172.30.0.0/16".into(),
            ],
        )
        .unwrap_or_default();
        let p = partition(&[b]);
        assert_eq!(p.len(), 7);
        assert_eq!(range_text(p[0]), "0.0.0.0-9.255.255.255");
        assert_eq!(cidr_cover(p[0]), "0.0.0.0/5,8.0.0.0/7");
        assert_eq!(cidr_cover(p[1]), "10.0.0.0/8");
    }

    #[test]
    fn adjacent_excepts_do_not_split() {
        let b =
            block("0.0.0.0/0", &["10.0.0.0/9".into(), "10.128.0.0/9".into()]).unwrap_or_default();
        let p = partition(&[b]);
        assert_eq!(p.len(), 3);
        assert_eq!(range_text(p[1]), "10.0.0.0-10.255.255.255");
        assert_eq!(partition(&[]), vec![(0, u32::MAX)]);
        assert_eq!(cidr_cover((0, u32::MAX)), "0.0.0.0/0");
    }
}
