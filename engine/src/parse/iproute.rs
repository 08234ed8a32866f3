//! Shared by the iproute2 `ip` parsers (`ip-route`, `ip-route-get`, `ip-addr`, `ip-link`,
//! `ip-neigh`, `ip-rule`): which `ip` object and verb a command line runs, and small token
//! helpers. Not a parser itself.
//!
//! `ip` reads its object and verb as prefixes, first match in its own table order
//! (`ip/ip.c`, `ip/iproute.c`): `ip a` is `address`, `ip r` is `route`, `ip ru` is `rule`,
//! `ip n`/`ip neighbour` is `neighbor`, `ip l` is `link`; `ip r g 1.1.1.1` is `route get`;
//! no verb means `show`. Options come first (`-4`, `-6`, `-d`, `-s`, `-br`, `-o`,
//! `-c`, `-n NETNS`, `-f inet`), and the command may be wrapped in `ip netns exec NS ip …`
//! or `nsenter -t PID -n ip …` (no `--`).

use crate::cmdline::CommandLine;

/// The object an `ip` command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    Address,
    Route,
    Rule,
    Neigh,
    Link,
    Other,
}

/// What an `ip` command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpCall<'a> {
    pub object: Object,
    /// True for `show`/`list`/`lst` or no verb at all.
    pub show: bool,
    /// True for `route get`.
    pub get: bool,
    /// `-br` / `-brief`.
    pub brief: bool,
    /// `-j` / `-json`: not text, none of the parsers reads it.
    pub json: bool,
    /// `-d` / `-details`.
    pub details: bool,
    /// The words after the verb (`get 10.96.0.10 from …`, `show dev eth0`).
    pub rest: &'a [String],
}

/// The `ip` invocation of a command line, also inside `ip netns exec NS ip …` and
/// `nsenter … ip …`.
pub fn ip_call(cmd: &CommandLine) -> Option<IpCall<'_>> {
    let args: &[String] = match cmd.program.as_str() {
        "ip" => &cmd.args,
        "nsenter" => {
            let pos = cmd
                .args
                .iter()
                .position(|a| a.rsplit('/').next() == Some("ip"))?;
            cmd.args.get(pos + 1..)?
        }
        _ => return None,
    };
    call_of(args, 0)
}

fn call_of(args: &[String], depth: usize) -> Option<IpCall<'_>> {
    let mut call = IpCall {
        object: Object::Other,
        show: false,
        get: false,
        brief: false,
        json: false,
        details: false,
        rest: &[],
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let Some(opt) = a.strip_prefix('-') else {
            break;
        };
        let opt = opt.strip_prefix('-').unwrap_or(opt);
        match opt {
            "n" | "netns" | "f" | "family" | "b" | "batch" | "rc" | "rcvbuf" | "l" | "loops" => {
                i += 1
            }
            _ if opt.starts_with("br") => call.brief = true,
            _ if opt == "j" || opt.starts_with("js") => call.json = true,
            _ if opt == "d" || opt.starts_with("det") => call.details = true,
            _ => {}
        }
        i += 1;
    }
    let object = args.get(i)?.as_str();
    let rest = args.get(i + 1..).unwrap_or(&[]);
    if object == "netns" && depth < 2 {
        // `ip netns exec NS ip -4 route`
        if rest.first().is_some_and(|v| v == "exec") {
            let inner = rest.get(2..)?;
            if inner
                .first()
                .is_some_and(|p| p.rsplit('/').next() == Some("ip"))
            {
                return call_of(inner.get(1..)?, depth + 1);
            }
        }
        return None;
    }
    call.object = if is_prefix(object, "address") {
        Object::Address
    } else if is_prefix(object, "route") {
        Object::Route
    } else if is_prefix(object, "rule") {
        Object::Rule
    } else if is_prefix(object, "neighbor") || is_prefix(object, "neighbour") {
        Object::Neigh
    } else if is_prefix(object, "link") {
        Object::Link
    } else {
        Object::Other
    };
    match rest.first().map(String::as_str) {
        None => call.show = true,
        Some(v) if is_prefix(v, "show") || is_prefix(v, "list") || v == "lst" => {
            call.show = true;
            call.rest = rest.get(1..).unwrap_or(&[]);
        }
        Some(v) if call.object == Object::Route && is_prefix(v, "get") => {
            call.get = true;
            call.rest = rest.get(1..).unwrap_or(&[]);
        }
        // `ip link flannel.1`-like selectors without a verb are errors for ip; `ip addr dev
        // eth0` is read as show by old versions.
        Some("dev") => {
            call.show = true;
            call.rest = rest;
        }
        Some(_) => {}
    }
    Some(call)
}

/// True when `word` is a non-empty prefix of `full` (ip's `matches()`).
fn is_prefix(word: &str, full: &str) -> bool {
    !word.is_empty() && full.starts_with(word)
}

/// A text ip prints when the command failed: `RTNETLINK answers: …`, `Error: …`,
/// `Device "x" does not exist.`, `Cannot find device "x"`.
pub fn is_ip_error(text: &str) -> bool {
    text.starts_with("RTNETLINK answers:")
        || text.starts_with("Error: ")
        || (text.starts_with("Device \"") && text.ends_with("does not exist."))
        || text.starts_with("Cannot find device \"")
        || text.starts_with("Command \"") && text.contains("is unknown")
        || text.starts_with("Object \"") && text.contains("is unknown")
}

/// The device an ip error names: `Device "flannel.1" does not exist.` → `flannel.1`.
pub fn error_device(text: &str) -> Option<&str> {
    let rest = text
        .strip_prefix("Device \"")
        .or_else(|| text.strip_prefix("Cannot find device \""))?;
    rest.split_once('"').map(|(d, _)| d)
}

/// `52:54:00:12:34:56`: six (or more, InfiniBand) hex octets joined by `:`.
pub fn is_mac(s: &str) -> bool {
    let mut n = 0;
    for part in s.split(':') {
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        n += 1;
    }
    n >= 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Option<(Object, bool, bool, bool)> {
        let c = crate::cmdline::parse(text)?;
        let call = ip_call(&c)?;
        Some((call.object, call.show, call.get, call.brief))
    }

    #[test]
    fn objects_and_verbs_as_ip_reads_them() {
        use Object::*;
        assert_eq!(call("ip a"), Some((Address, true, false, false)));
        assert_eq!(
            call("ip -4 addr show dev eth0"),
            Some((Address, true, false, false))
        );
        assert_eq!(call("ip -br a"), Some((Address, true, false, true)));
        assert_eq!(call("ip r"), Some((Route, true, false, false)));
        assert_eq!(
            call("ip -6 ro show table all"),
            Some((Route, true, false, false))
        );
        assert_eq!(call("ip r g 10.96.0.10"), Some((Route, false, true, false)));
        assert_eq!(
            call("ip route get 10.96.0.10"),
            Some((Route, false, true, false))
        );
        assert_eq!(call("ip ru"), Some((Rule, true, false, false)));
        assert_eq!(call("ip rule list"), Some((Rule, true, false, false)));
        assert_eq!(call("ip n"), Some((Neigh, true, false, false)));
        assert_eq!(call("ip neighbour show"), Some((Neigh, true, false, false)));
        assert_eq!(
            call("ip -d link show flannel.1"),
            Some((Link, true, false, false))
        );
        assert_eq!(call("ip l"), Some((Link, true, false, false)));
        assert_eq!(call("ip -n cni-1 a"), Some((Address, true, false, false)));
        assert_eq!(
            call("ip netns exec cni-1 ip r"),
            Some((Route, true, false, false))
        );
        assert_eq!(
            call("nsenter -t 1234 -n ip a"),
            Some((Address, true, false, false))
        );
        assert_eq!(call("ip addrlabel"), Some((Other, true, false, false)));
        assert_eq!(
            call("ip route add 10.0.0.0/8 dev eth0").map(|c| c.1),
            Some(false)
        );
        assert_eq!(call("ss -tln"), None);
    }

    #[test]
    fn errors_and_macs() {
        assert!(is_ip_error("RTNETLINK answers: Network is unreachable"));
        assert!(is_ip_error("Device \"flannel.1\" does not exist."));
        assert_eq!(
            error_device("Device \"flannel.1\" does not exist."),
            Some("flannel.1")
        );
        assert!(is_mac("52:54:00:12:34:56"));
        assert!(!is_mac("10.0.0.1"));
        assert!(!is_mac("fe80::1"));
    }
}
