//! Overlay MTU arithmetic: the largest pod MTU a tunnel leaves, the TCP MSS that follows,
//! and the don't-fragment ping payloads that prove a path, with every byte accounted for.
//!
//! Overheads (outer headers added to each inner packet):
//! - VXLAN: outer IP (20 IPv4 / 40 IPv6) + UDP 8 + VXLAN 8 + inner Ethernet 14 = 50 / 70
//!   (Flannel `vxlan`, Calico `vxlan.calico`, Cilium tunnel mode).
//! - Geneve: like VXLAN (its base header is 8 bytes too) plus its options, a multiple of
//!   4 bytes (OVN-Kubernetes, Cilium with Geneve).
//! - IP-in-IP: one outer IP header, 20 (IPv4) / 40 (IPv6) (Calico `tunl0`).
//! - WireGuard: outer IP + UDP 8 + WireGuard 32 (type 4, receiver 4, counter 8, tag 16):
//!   60 over IPv4, 80 over IPv6 (Calico/Cilium encryption, `wg0`).
//! - GRE: outer IP + GRE 4 (24 / 44).
//!
//! A TCP MSS is the MTU less the inner IP and TCP headers (40 for IPv4, 60 for IPv6); a
//! `ping -M do -s N` payload is the MTU less the IP and ICMP headers (28 IPv4, 48 IPv6).

use serde::Serialize;

/// The tunnel between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encap {
    None,
    Vxlan,
    Geneve,
    Ipip,
    Wireguard,
    Gre,
}

impl Encap {
    /// Parse a name as people write it (`vxlan`, `ipip`, `IP-in-IP`, `wg`, …).
    pub fn parse(s: &str) -> Option<Encap> {
        let k: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(match k.as_str() {
            "none" | "native" | "direct" | "routed" | "bgp" => Encap::None,
            "vxlan" => Encap::Vxlan,
            "geneve" => Encap::Geneve,
            "ipip" | "ipinip" | "tunl0" => Encap::Ipip,
            "wireguard" | "wg" => Encap::Wireguard,
            "gre" => Encap::Gre,
            _ => return None,
        })
    }
}

/// One header of the overhead, for the shown arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub header: String,
    pub bytes: u32,
}

/// The answer for one underlay MTU and encapsulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MtuPlan {
    pub underlay_mtu: u32,
    pub encap: Encap,
    pub underlay_ipv6: bool,
    pub inner_ipv6: bool,
    pub overhead: u32,
    pub parts: Vec<Part>,
    /// The largest MTU for pod interfaces.
    pub pod_mtu: u32,
    pub tcp_mss: u32,
    /// `ping -M do -s N` from a node to another node's IP: N passes if the underlay
    /// carries `underlay_mtu`.
    pub node_ping_payload: u32,
    /// `ping -M do -s N` from pod to pod: N passes if `pod_mtu` is right.
    pub pod_ping_payload: u32,
    /// The arithmetic, one line each.
    pub steps: Vec<String>,
}

/// Compute the plan. `geneve_options` is the Geneve option length in bytes.
pub fn plan(
    underlay_mtu: u32,
    encap: Encap,
    underlay_ipv6: bool,
    inner_ipv6: bool,
    geneve_options: u32,
) -> Result<MtuPlan, String> {
    if !(576..=65535).contains(&underlay_mtu) {
        return Err(format!(
            "underlay MTU {underlay_mtu} is out of range (576–65535; IPv6 needs at least 1280)"
        ));
    }
    if !geneve_options.is_multiple_of(4) || geneve_options > 252 {
        return Err(format!(
            "Geneve options are a multiple of 4 bytes up to 252, not {geneve_options}"
        ));
    }
    let ip = if underlay_ipv6 { 40 } else { 20 };
    let ip_name = if underlay_ipv6 {
        "outer IPv6"
    } else {
        "outer IPv4"
    };
    let part = |h: &str, b: u32| Part {
        header: h.to_string(),
        bytes: b,
    };
    let parts: Vec<Part> = match encap {
        Encap::None => vec![],
        Encap::Vxlan => vec![
            part(ip_name, ip),
            part("UDP", 8),
            part("VXLAN", 8),
            part("inner Ethernet", 14),
        ],
        Encap::Geneve => {
            let mut v = vec![
                part(ip_name, ip),
                part("UDP", 8),
                part("Geneve", 8),
                part("inner Ethernet", 14),
            ];
            if geneve_options > 0 {
                v.push(part("Geneve options", geneve_options));
            }
            v
        }
        Encap::Ipip => vec![part(ip_name, ip)],
        Encap::Wireguard => vec![part(ip_name, ip), part("UDP", 8), part("WireGuard", 32)],
        Encap::Gre => vec![part(ip_name, ip), part("GRE", 4)],
    };
    let overhead: u32 = parts.iter().map(|p| p.bytes).sum();
    let pod_mtu = underlay_mtu
        .checked_sub(overhead)
        .filter(|m| *m >= if inner_ipv6 { 1280 } else { 576 })
        .ok_or_else(|| format!("an underlay MTU of {underlay_mtu} leaves too little room for {overhead} bytes of {encap:?} overhead"))?;
    let (inner_ip, tcp, icmp) = if inner_ipv6 { (40, 20, 8) } else { (20, 20, 8) };
    let outer_icmp = if underlay_ipv6 { 48 } else { 28 };
    let tcp_mss = pod_mtu - inner_ip - tcp;
    let mut steps = Vec::new();
    if parts.is_empty() {
        steps.push(format!(
            "no encapsulation: pod MTU = underlay MTU = {underlay_mtu}"
        ));
    } else {
        let sum = parts
            .iter()
            .map(|p| format!("{} {}", p.header, p.bytes))
            .collect::<Vec<_>>()
            .join(" + ");
        steps.push(format!("overhead = {sum} = {overhead}"));
        steps.push(format!("pod MTU = {underlay_mtu} − {overhead} = {pod_mtu}"));
    }
    steps.push(format!(
        "TCP MSS = {pod_mtu} − {} IP − 20 TCP = {tcp_mss}",
        inner_ip
    ));
    steps.push(format!(
        "node→node: ping -M do -s {} <node-ip> (= {underlay_mtu} − {outer_icmp} IP+ICMP)",
        underlay_mtu - outer_icmp
    ));
    steps.push(format!(
        "pod→pod: ping -M do -s {} <pod-ip> (= {pod_mtu} − {} IP+ICMP)",
        pod_mtu - inner_ip - icmp,
        inner_ip + icmp
    ));
    Ok(MtuPlan {
        underlay_mtu,
        encap,
        underlay_ipv6,
        inner_ipv6,
        overhead,
        parts,
        pod_mtu,
        tcp_mss,
        node_ping_payload: underlay_mtu - outer_icmp,
        pod_ping_payload: pod_mtu - inner_ip - icmp,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_overheads() {
        let p = |e, v6| plan(1500, e, v6, false, 0).unwrap();
        assert_eq!(p(Encap::Vxlan, false).pod_mtu, 1450);
        assert_eq!(p(Encap::Vxlan, true).pod_mtu, 1430);
        assert_eq!(p(Encap::Ipip, false).pod_mtu, 1480);
        assert_eq!(p(Encap::Wireguard, false).pod_mtu, 1440);
        assert_eq!(p(Encap::Wireguard, true).pod_mtu, 1420);
        assert_eq!(p(Encap::Geneve, false).pod_mtu, 1450);
        assert_eq!(
            plan(1500, Encap::Geneve, false, false, 8).unwrap().pod_mtu,
            1442
        );
        assert_eq!(p(Encap::None, false).pod_mtu, 1500);
        let v = p(Encap::Vxlan, false);
        assert_eq!(
            (v.tcp_mss, v.node_ping_payload, v.pod_ping_payload),
            (1410, 1472, 1422)
        );
        // AWS jumbo frames with VXLAN.
        assert_eq!(
            plan(9001, Encap::Vxlan, false, false, 0).unwrap().pod_mtu,
            8951
        );
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(plan(100, Encap::Vxlan, false, false, 0).is_err());
        assert!(plan(1500, Encap::Geneve, false, false, 3).is_err());
        assert!(plan(1300, Encap::Vxlan, true, true, 0).is_err());
        assert_eq!(Encap::parse("IP-in-IP"), Some(Encap::Ipip));
        assert_eq!(Encap::parse("wg"), Some(Encap::Wireguard));
        assert_eq!(Encap::parse("carrier pigeon"), None);
    }
}
