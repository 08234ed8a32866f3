//! `netdoc cidr` against an oracle: Python 3's `ipaddress` answers the same thousands of
//! random requests (IPv4 and IPv6, every prefix length, edge addresses) and every JSON
//! field must agree. Addresses are compared as text, except IPv4-mapped IPv6 addresses,
//! which netdoc prints dotted (`::ffff:1.2.3.4`, RFC 5952 §5) and Python 3.11 in hex:
//! those are compared as values.

use netdoc::calc::cidr::{self, Request};
use serde_json::{json, Value};
use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};

/// xorshift64*: deterministic, so a failure names a request that can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_addr(r: &mut Rng, v6: bool) -> String {
    let bits: u128 = match r.below(8) {
        0 => 0,
        1 => u128::MAX,
        2 => 1,
        _ => (u128::from(r.next()) << 64) | u128::from(r.next()),
    };
    if v6 {
        let mut b = bits;
        if r.below(20) == 0 {
            b = (0xffff_u128 << 32) | (b & 0xffff_ffff); // IPv4-mapped
        }
        std::net::Ipv6Addr::from(b).to_string()
    } else {
        std::net::Ipv4Addr::from(bits as u32).to_string()
    }
}

fn random_net(r: &mut Rng) -> (String, bool) {
    let v6 = r.below(2) == 0;
    let max = if v6 { 128 } else { 32 };
    (format!("{}/{}", random_addr(r, v6), r.below(max + 1)), v6)
}

fn python(requests: &[Value]) -> Option<Vec<Value>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/cidr_oracle.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut input = String::new();
    for q in requests {
        input.push_str(&q.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take()?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    assert!(out.status.success(), "the oracle failed");
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    )
}

fn same_text_or_address(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => match (x.parse::<IpAddr>(), y.parse::<IpAddr>()) {
            (Ok(IpAddr::V6(p)), Ok(IpAddr::V6(q))) => p == q && p.to_ipv4_mapped().is_some(),
            _ => {
                // CIDR text: compare the address part as above, the prefix as text.
                match (x.split_once('/'), y.split_once('/')) {
                    (Some((xa, xp)), Some((ya, yp))) => {
                        xp == yp && same_text_or_address(&json!(xa), &json!(ya))
                    }
                    _ => false,
                }
            }
        },
        _ => false,
    }
}

fn assert_same(what: &str, ours: &Value, theirs: &Value) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                let mine = a.get(k).unwrap_or(&Value::Null);
                assert_same(&format!("{what}.{k}"), mine, v);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{what}: {ours} vs python {theirs}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(&format!("{what}[{i}]"), x, y);
            }
        }
        _ => assert!(
            same_text_or_address(ours, theirs),
            "{what}: netdoc {ours} vs python {theirs}"
        ),
    }
}

#[test]
fn every_field_agrees_with_python_ipaddress() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut requests = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..3000 {
        let (net, _) = random_net(&mut r);
        requests.push(json!({"op": "info", "net": net}));
        ours.push(
            cidr::answer(&Request {
                networks: vec![net.clone()],
                ..Request::default()
            })
            .unwrap_or_else(|e| panic!("{net}: {e}")),
        );
    }
    for _ in 0..600 {
        let (net, v6) = random_net(&mut r);
        let max: u64 = if v6 { 128 } else { 32 };
        let p: u64 = net.rsplit('/').next().and_then(|p| p.parse().ok()).unwrap();
        let new = p + r.below((max - p).min(12) + 1);
        let limit = r.below(20) as usize;
        requests.push(json!({"op": "split", "net": net, "prefix": new, "limit": limit}));
        ours.push(
            cidr::answer(&Request {
                networks: vec![net.clone()],
                split: Some(new as u8),
                limit,
                ..Request::default()
            })
            .unwrap_or_else(|e| panic!("{net} split {new}: {e}")),
        );
    }
    for i in 0..300u64 {
        let v6 = i % 3 == 0;
        let n: u128 = match i % 5 {
            0 => u128::from(i + 1),
            1 => 1u128 << (i % 31),
            2 => (1u128 << (i % 31)) - 1 + 1,
            _ => u128::from(r.below(1 << 20) + 1),
        };
        requests.push(json!({"op": "hosts", "n": n.to_string(), "v6": v6}));
        ours.push(
            cidr::answer(&Request {
                hosts: Some(n),
                v6,
                ..Request::default()
            })
            .unwrap_or_else(|e| panic!("hosts {n}: {e}")),
        );
    }
    for _ in 0..300 {
        // Nested and disjoint pairs: a network, one of its subnets, and a random one.
        let (a, v6) = random_net(&mut r);
        let max = if v6 { 128 } else { 32 };
        let p: u64 = a.rsplit('/').next().and_then(|p| p.parse().ok()).unwrap();
        let b = format!(
            "{}/{}",
            a.split('/').next().unwrap(),
            p + r.below(max - p + 1)
        );
        let (c, _) = random_net(&mut r);
        let nets = vec![a, b, c];
        requests.push(json!({"op": "overlap", "nets": nets}));
        ours.push(
            cidr::answer(&Request {
                networks: nets.clone(),
                overlap: true,
                ..Request::default()
            })
            .unwrap_or_else(|e| panic!("{nets:?}: {e}")),
        );
    }
    let Some(theirs) = python(&requests) else {
        panic!("python3 is needed for the oracle test (it is on every CI machine)");
    };
    assert_eq!(theirs.len(), requests.len());
    for ((q, a), b) in requests.iter().zip(&ours).zip(&theirs) {
        assert_same(&q.to_string(), a, b);
    }
}
