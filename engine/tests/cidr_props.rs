//! Round trips of the subnet calculator: splitting then summarising gives the network
//! back, a network's own range deaggregates to itself, and summarising is idempotent
//! and covers exactly the addresses it was given.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use netdoc::calc::cidr;
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn any_net() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, p)| IpNet::V4(
            Ipv4Net::new(Ipv4Addr::from(a), p)
                .unwrap_or_default()
                .trunc()
        )),
        (any::<u128>(), 0u8..=128).prop_map(|(a, p)| IpNet::V6(
            Ipv6Net::new(Ipv6Addr::from(a), p)
                .unwrap_or_default()
                .trunc()
        )),
    ]
}

proptest! {
    #[test]
    fn split_then_summarize_is_the_network(net in any_net(), extra in 0u8..=8) {
        let new = (net.prefix_len() + extra).min(net.max_prefix_len());
        let (count, subs) = cidr::split(net, new, 1 << 8).unwrap();
        prop_assert_eq!(count, (1u32 << (new - net.prefix_len())).to_string());
        prop_assert_eq!(subs.len(), 1usize << (new - net.prefix_len()));
        prop_assert_eq!(cidr::summarize(&subs), vec![net]);
    }

    #[test]
    fn a_network_range_deaggregates_to_itself(net in any_net()) {
        prop_assert_eq!(cidr::deaggregate(net.network(), net.broadcast()).unwrap(), vec![net]);
    }

    #[test]
    fn summarize_is_idempotent_and_exact(nets in proptest::collection::vec(any_net(), 1..6), probe in any_net()) {
        let once = cidr::summarize(&nets);
        prop_assert_eq!(cidr::summarize(&once), once.clone());
        // An address is covered after summarising exactly when it was before.
        let edges = nets.iter().chain(std::iter::once(&probe)).flat_map(|n| [n.network(), n.broadcast()]);
        for addr in edges {
            let before = nets.iter().any(|n| n.contains(&addr));
            let after = once.iter().any(|n| n.contains(&addr));
            prop_assert_eq!(before, after, "{} in {:?} vs {:?}", addr, nets, once);
        }
    }
}
