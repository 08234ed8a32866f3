//! Subnet arithmetic for IPv4 and IPv6: what `netdoc cidr` prints and the CIDR
//! predicates use.
//!
//! Usable hosts follow Python's `ipaddress` `hosts()` exactly (the oracle test compares
//! them): IPv4 excludes the network and broadcast addresses, except a /31 (RFC 3021
//! point-to-point: both addresses) and a /32 (the one address); IPv6 has no broadcast
//! and excludes only the Subnet-Router anycast address (the network address, RFC 4291
//! §2.6.1), except a /127 (RFC 6164: both) and a /128 (the one address).
//!
//! Address counts are decimal strings: an IPv6 /0 holds 2^128 addresses, more than
//! any integer JSON readers keep exactly.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Everything about one network, in `netdoc cidr --format json`'s field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CidrInfo {
    /// Normalised: the network address and the prefix.
    pub cidr: String,
    pub version: u8,
    pub network: String,
    pub prefix: u8,
    pub netmask: String,
    pub hostmask: String,
    pub first_address: String,
    pub last_address: String,
    /// IPv4 only.
    pub broadcast: Option<String>,
    pub addresses: String,
    pub hosts: String,
    pub first_host: String,
    pub last_host: String,
}

/// Read `ADDR/PREFIX` (host bits may be set), `ADDR/NETMASK`, `ADDR NETMASK`, or a bare
/// address (a /32 or /128).
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty network: expected ADDR/PREFIX, ADDR NETMASK or ADDR".into());
    }
    if t.len() > 100 {
        return Err("not a network: too long".into());
    }
    let (addr, mask) = match t.split_once('/') {
        Some((a, m)) => (a.trim(), Some(m.trim())),
        None => match t.split_once(char::is_whitespace) {
            Some((a, m)) => (a.trim(), Some(m.trim())),
            None => (t, None),
        },
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IPv4 or IPv6 address"))?;
    let prefix = match mask {
        None => max_prefix(ip),
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) => {
            let p: u8 = m
                .parse()
                .map_err(|_| format!("prefix `{m}` is out of range"))?;
            if p > max_prefix(ip) {
                return Err(format!(
                    "prefix /{p} is out of range for {} (0–{})",
                    family(ip),
                    max_prefix(ip)
                ));
            }
            p
        }
        Some(m) => mask_prefix(ip, m)?,
    };
    IpNet::new(ip, prefix)
        .map(|n| n.trunc())
        .map_err(|e| e.to_string())
}

fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

/// The prefix length a dotted netmask (or, as Python also accepts, a hostmask) stands for.
fn mask_prefix(ip: IpAddr, m: &str) -> Result<u8, String> {
    let bad = || format!("`{m}` is not a valid netmask for {}", family(ip));
    let (bits, width): (u128, u32) = match (ip, m.parse::<IpAddr>().map_err(|_| bad())?) {
        (IpAddr::V4(_), IpAddr::V4(mask)) => (u32::from(mask) as u128, 32),
        (IpAddr::V6(_), IpAddr::V6(mask)) => (u128::from(mask), 128),
        _ => return Err(bad()),
    };
    let all: u128 = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    // A netmask is ones then zeros; a hostmask zeros then ones.
    let ones = bits.count_ones();
    let as_netmask = if ones == 0 {
        0
    } else {
        (all >> (width - ones)) << (width - ones)
    };
    if bits == as_netmask {
        return u8::try_from(ones).map_err(|_| bad());
    }
    let as_hostmask = if ones == 0 { 0 } else { all >> (width - ones) };
    if bits == as_hostmask {
        return u8::try_from(width - ones).map_err(|_| bad());
    }
    Err(bad())
}

/// The number of addresses, as a decimal string.
pub fn address_count(net: &IpNet) -> String {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    if host_bits == 128 {
        "340282366920938463463374607431768211456".into()
    } else {
        (1u128 << host_bits).to_string()
    }
}

/// `addresses` as a number, saturating at u128::MAX for an IPv6 /0.
fn count_u128(net: &IpNet) -> u128 {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
}

fn v4(n: u128) -> Ipv4Addr {
    Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// First and last usable host, and how many (Python `hosts()` semantics).
fn usable(net: &IpNet) -> (IpAddr, IpAddr, u128) {
    let first = net.network();
    let last = net.broadcast();
    let count = count_u128(net);
    match net {
        IpNet::V4(n) => {
            let (a, b) = (
                u32::from(n.network()) as u128,
                u32::from(n.broadcast()) as u128,
            );
            match n.prefix_len() {
                31 | 32 => (first, last, count),
                _ => (IpAddr::V4(v4(a + 1)), IpAddr::V4(v4(b - 1)), count - 2),
            }
        }
        IpNet::V6(n) => {
            let a = u128::from(n.network());
            match n.prefix_len() {
                127 | 128 => (first, last, count),
                // /0: 2^128 - 1 usable, which is exactly u128::MAX.
                0 => (IpAddr::V6(Ipv6Addr::from(a + 1)), last, u128::MAX),
                _ => (IpAddr::V6(Ipv6Addr::from(a + 1)), last, count - 1),
            }
        }
    }
}

/// Everything about `net` (normalised first).
pub fn info(net: IpNet) -> CidrInfo {
    let net = net.trunc();
    let (first_host, last_host, hosts) = usable(&net);
    CidrInfo {
        cidr: net.to_string(),
        version: if matches!(net, IpNet::V4(_)) { 4 } else { 6 },
        network: net.network().to_string(),
        prefix: net.prefix_len(),
        netmask: net.netmask().to_string(),
        hostmask: net.hostmask().to_string(),
        first_address: net.network().to_string(),
        last_address: net.broadcast().to_string(),
        broadcast: match net {
            IpNet::V4(n) => Some(n.broadcast().to_string()),
            IpNet::V6(_) => None,
        },
        addresses: address_count(&net),
        hosts: hosts.to_string(),
        first_host: first_host.to_string(),
        last_host: last_host.to_string(),
    }
}

/// The subnets of `net` at `prefix`, the first `limit` of them, and how many there are.
pub fn split(net: IpNet, prefix: u8, limit: usize) -> Result<(String, Vec<IpNet>), String> {
    let net = net.trunc();
    if prefix < net.prefix_len() || prefix > net.max_prefix_len() {
        return Err(format!(
            "cannot split {net} into /{prefix}: the new prefix must be between /{} and /{}",
            net.prefix_len(),
            net.max_prefix_len()
        ));
    }
    let bits = u32::from(prefix - net.prefix_len());
    let count = if bits == 128 {
        "340282366920938463463374607431768211456".to_string()
    } else {
        (1u128 << bits).to_string()
    };
    let subnets = net
        .subnets(prefix)
        .map_err(|e| e.to_string())?
        .take(limit)
        .collect();
    Ok((count, subnets))
}

/// The longest prefix (smallest network) with at least `n` usable hosts.
pub fn prefix_for_hosts(n: u128, v6: bool) -> Option<u8> {
    if n == 0 {
        return None;
    }
    let max: u8 = if v6 { 128 } else { 32 };
    (0..=max).rev().find(|&p| {
        let host_bits = u32::from(max - p);
        let count = 1u128.checked_shl(host_bits).unwrap_or(u128::MAX);
        let usable = match (v6, p) {
            (false, 31 | 32) | (true, 127 | 128) => count,
            (false, _) => count - 2,
            (true, 0) => u128::MAX,
            (true, _) => count - 1,
        };
        usable >= n
    })
}

/// Two networks that share addresses, and the range they share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    /// CIDR blocks either nest or are disjoint: the shared range is the smaller one.
    pub shared: String,
}

/// Every overlapping pair among `nets`, in input order.
pub fn overlaps(nets: &[IpNet]) -> Vec<Overlap> {
    let mut out = Vec::new();
    for (i, a) in nets.iter().enumerate() {
        for b in nets.iter().skip(i + 1) {
            let (a, b) = (a.trunc(), b.trunc());
            let shared = if a.contains(&b) {
                Some(b)
            } else if b.contains(&a) {
                Some(a)
            } else {
                None
            };
            if let Some(s) = shared {
                out.push(Overlap {
                    a: a.to_string(),
                    b: b.to_string(),
                    shared: s.to_string(),
                });
            }
        }
    }
    out
}

/// The fewest CIDR blocks that cover exactly `start..=end`.
pub fn deaggregate(start: IpAddr, end: IpAddr) -> Result<Vec<IpNet>, String> {
    match (start, end) {
        (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => {
            Ok(ipnet::Ipv4Subnets::new(a, b, 0).map(IpNet::V4).collect())
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => {
            Ok(ipnet::Ipv6Subnets::new(a, b, 0).map(IpNet::V6).collect())
        }
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
            Err(format!("range {start}-{end} ends before it starts"))
        }
        _ => Err(format!("range {start}-{end} mixes IPv4 and IPv6 addresses")),
    }
}

/// Read `A-B` as an address range.
pub fn parse_range(text: &str) -> Option<Result<(IpAddr, IpAddr), String>> {
    let (a, b) = text.split_once('-')?;
    let a: IpAddr = a.trim().parse().ok()?;
    Some(
        b.trim()
            .parse::<IpAddr>()
            .map(|b| (a, b))
            .map_err(|_| format!("`{}` is not an address", b.trim())),
    )
}

/// The fewest CIDR blocks covering exactly the union of `nets` (IPv4 first).
pub fn summarize(nets: &[IpNet]) -> Vec<IpNet> {
    let v4: Vec<Ipv4Net> = nets
        .iter()
        .filter_map(|n| match n {
            IpNet::V4(n) => Some(n.trunc()),
            IpNet::V6(_) => None,
        })
        .collect();
    let v6: Vec<Ipv6Net> = nets
        .iter()
        .filter_map(|n| match n {
            IpNet::V6(n) => Some(n.trunc()),
            IpNet::V4(_) => None,
        })
        .collect();
    Ipv4Net::aggregate(&v4)
        .into_iter()
        .map(IpNet::V4)
        .chain(Ipv6Net::aggregate(&v6).into_iter().map(IpNet::V6))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        match parse_net(s) {
            Ok(n) => n,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn reads_every_notation() {
        assert_eq!(net("10.1.2.3/8").to_string(), "10.0.0.0/8");
        assert_eq!(net("10.1.2.3 255.255.0.0").to_string(), "10.1.0.0/16");
        assert_eq!(net("10.1.2.3/255.255.255.0").to_string(), "10.1.2.0/24");
        assert_eq!(net("10.1.2.3/0.0.0.255").to_string(), "10.1.2.0/24");
        assert_eq!(net("10.1.2.3").to_string(), "10.1.2.3/32");
        assert_eq!(net("2001:db8::1/32").to_string(), "2001:db8::/32");
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("10.0.0.0 255.0.255.0").is_err());
        assert!(parse_net("banana/8").is_err());
        assert!(parse_net("10.0.0.0/").is_err());
        assert!(parse_net("").is_err());
    }

    #[test]
    fn hosts_follow_python() {
        let i = info(net("192.168.1.0/24"));
        assert_eq!(
            (
                i.hosts.as_str(),
                i.first_host.as_str(),
                i.last_host.as_str()
            ),
            ("254", "192.168.1.1", "192.168.1.254")
        );
        assert_eq!(i.broadcast.as_deref(), Some("192.168.1.255"));
        let i = info(net("10.0.0.0/31"));
        assert_eq!(
            (
                i.hosts.as_str(),
                i.first_host.as_str(),
                i.last_host.as_str()
            ),
            ("2", "10.0.0.0", "10.0.0.1")
        );
        let i = info(net("10.0.0.7/32"));
        assert_eq!((i.hosts.as_str(), i.first_host.as_str()), ("1", "10.0.0.7"));
        let i = info(net("2001:db8::/64"));
        assert_eq!(i.hosts, "18446744073709551615");
        assert_eq!(
            (i.first_host.as_str(), i.last_host.as_str()),
            ("2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff")
        );
        assert_eq!(i.broadcast, None);
        let i = info(net("::/0"));
        assert_eq!(i.addresses, "340282366920938463463374607431768211456");
        assert_eq!(i.hosts, "340282366920938463463374607431768211455");
        let i = info(net("0.0.0.0/0"));
        assert_eq!(
            (i.addresses.as_str(), i.hosts.as_str()),
            ("4294967296", "4294967294")
        );
    }

    #[test]
    fn hosts_to_prefix() {
        assert_eq!(prefix_for_hosts(500, false), Some(23));
        assert_eq!(prefix_for_hosts(1, false), Some(32));
        assert_eq!(prefix_for_hosts(2, false), Some(31));
        assert_eq!(prefix_for_hosts(3, false), Some(29));
        assert_eq!(prefix_for_hosts(254, false), Some(24));
        assert_eq!(prefix_for_hosts(255, false), Some(23));
        assert_eq!(prefix_for_hosts(u128::from(u32::MAX), false), None);
        assert_eq!(prefix_for_hosts(3, true), Some(126));
        assert_eq!(prefix_for_hosts(0, false), None);
    }

    #[test]
    fn split_overlap_ranges() {
        let (count, subs) = split(net("10.0.0.0/22"), 24, 3).unwrap_or_default();
        assert_eq!(count, "4");
        assert_eq!(
            subs.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
        );
        assert!(split(net("10.0.0.0/22"), 21, 3).is_err());
        let o = overlaps(&[
            net("10.0.0.0/8"),
            net("192.168.0.0/16"),
            net("10.244.0.0/16"),
        ]);
        assert_eq!(
            o,
            vec![Overlap {
                a: "10.0.0.0/8".into(),
                b: "10.244.0.0/16".into(),
                shared: "10.244.0.0/16".into()
            }]
        );
        let d = deaggregate(
            "10.0.0.5"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            "10.0.0.20"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        )
        .unwrap_or_default();
        assert_eq!(
            d.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            [
                "10.0.0.5/32",
                "10.0.0.6/31",
                "10.0.0.8/29",
                "10.0.0.16/30",
                "10.0.0.20/32"
            ]
        );
        let s = summarize(&[
            net("10.0.0.0/24"),
            net("10.0.1.0/24"),
            net("10.0.2.0/23"),
            net("10.0.0.0/25"),
        ]);
        assert_eq!(
            s.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            ["10.0.0.0/22"]
        );
    }
}

/// What `netdoc cidr` (and the Subnet page) was asked.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Networks (`ADDR/PREFIX`, `ADDR NETMASK`, `ADDR`) or one range `A-B`.
    pub networks: Vec<String>,
    pub split: Option<u8>,
    /// How many subnets `split` lists at most.
    pub limit: usize,
    pub hosts: Option<u128>,
    pub v6: bool,
    pub overlap: bool,
    pub contains: Vec<String>,
    pub summarize: bool,
}

/// Answer a [`Request`] as JSON (the CLI's `--format json` and the page's data).
pub fn answer(req: &Request) -> Result<serde_json::Value, String> {
    use serde_json::json;
    let mut args: Vec<String> = req.networks.iter().map(|s| s.trim().to_string()).collect();
    // `10.0.0.0 255.255.255.0` typed as two words.
    if args.len() == 2
        && !args[0].contains('/')
        && args[1].parse::<Ipv4Addr>().is_ok()
        && args[0].parse::<Ipv4Addr>().is_ok()
        && mask_prefix(IpAddr::V4(Ipv4Addr::UNSPECIFIED), &args[1]).is_ok()
        && !req.overlap
        && !req.summarize
    {
        args = vec![format!("{} {}", args[0], args[1])];
    }
    if let Some(n) = req.hosts {
        let prefix = prefix_for_hosts(n, req.v6).ok_or_else(|| {
            if n == 0 {
                "--hosts needs at least 1 host".to_string()
            } else {
                format!(
                    "no {} network holds {n} usable hosts",
                    if req.v6 { "IPv6" } else { "IPv4" }
                )
            }
        })?;
        let probe = if req.v6 {
            IpNet::V6(Ipv6Net::new(Ipv6Addr::UNSPECIFIED, prefix).map_err(|e| e.to_string())?)
        } else {
            IpNet::V4(Ipv4Net::new(Ipv4Addr::UNSPECIFIED, prefix).map_err(|e| e.to_string())?)
        };
        let (_, _, usable_hosts) = usable(&probe);
        return Ok(json!({
            "requested_hosts": n.to_string(),
            "version": if req.v6 { 6 } else { 4 },
            "prefix": prefix,
            "addresses": address_count(&probe),
            "hosts": usable_hosts.to_string(),
        }));
    }
    if args.len() == 1 {
        if let Some(range) = parse_range(&args[0]) {
            let (a, b) = range?;
            let cidrs = deaggregate(a, b)?;
            return Ok(json!({
                "range": format!("{a}-{b}"),
                "cidrs": cidrs.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            }));
        }
    }
    let nets: Vec<IpNet> = args
        .iter()
        .map(|a| parse_net(a))
        .collect::<Result<_, _>>()?;
    if nets.is_empty() {
        return Err("give a network: ADDR/PREFIX, ADDR NETMASK, ADDR, or a range A-B".into());
    }
    if req.overlap {
        return Ok(json!({
            "networks": nets.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            "overlaps": overlaps(&nets),
        }));
    }
    if req.summarize {
        return Ok(json!({
            "networks": nets.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            "cidrs": summarize(&nets).iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        }));
    }
    if !req.contains.is_empty() {
        let mut rows = Vec::new();
        for a in &req.contains {
            let ip: IpAddr = a
                .trim()
                .parse()
                .map_err(|_| format!("`{a}` is not an address"))?;
            for n in &nets {
                rows.push(json!({"address": ip.to_string(), "network": n.to_string(), "contained": n.contains(&ip)}));
            }
        }
        return Ok(serde_json::Value::Array(rows));
    }
    if let Some(p) = req.split {
        let mut out = Vec::new();
        for n in &nets {
            let (count, subnets) = split(*n, p, req.limit)?;
            let truncated = subnets.len().to_string() != count;
            out.push(json!({
                "cidr": n.to_string(),
                "prefix": p,
                "count": count,
                "subnets": subnets.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "truncated": truncated,
            }));
        }
        return Ok(if out.len() == 1 {
            out.remove(0)
        } else {
            serde_json::Value::Array(out)
        });
    }
    let infos: Vec<CidrInfo> = nets.into_iter().map(info).collect();
    let value = if infos.len() == 1 {
        serde_json::to_value(&infos[0])
    } else {
        serde_json::to_value(&infos)
    };
    value.map_err(|e| e.to_string())
}
