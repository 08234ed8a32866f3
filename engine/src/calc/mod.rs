//! Pure calculators shared by predicates, the CLI and the page.

pub mod cidr;
pub mod dns;
pub mod mtu;
pub mod plan;
