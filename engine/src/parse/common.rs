//! Helpers shared by parsers: label lists, IP/port tokens, table column slicing.

use std::collections::BTreeMap;

/// Parse `a=b,c=d` (kubectl `--show-labels`, `-l`, describe `Selector:`). `<none>` and
/// empty give an empty map; a pair without `=` yields `None`.
pub fn parse_label_list(s: &str) -> Option<BTreeMap<String, String>> {
    let s = s.trim();
    let mut map = BTreeMap::new();
    if s.is_empty() || s == "<none>" {
        return Some(map);
    }
    for pair in s.split(',') {
        let (k, v) = pair.split_once('=')?;
        let k = k.trim();
        if k.is_empty() {
            return None;
        }
        map.insert(k.to_string(), v.trim().to_string());
    }
    Some(map)
}

/// Longest log line the log parsers hand to their grammar; the rest of a longer line is
/// cut off (bounded work per line: signatures sit at the start of a message).
pub const MAX_LOG_LINE: usize = 4096;

/// `line` cut to at most `max` bytes, on a character boundary.
pub fn capped_at(line: &str, max: usize) -> &str {
    if line.len() <= max {
        return line;
    }
    let mut end = max;
    while end > 0 && !line.is_char_boundary(end) {
        end -= 1;
    }
    line.get(..end).unwrap_or("")
}

/// True for `kubectl logs` whose pod, resource, name or `-l` selector mentions one of
/// `needles` (`kubectl -n kube-system logs coredns-5d78c9869d-abcde`, `kubectl logs
/// -l k8s-app=kube-dns`, `kubectl logs ds/kube-proxy`).
pub fn is_kubectl_logs_of(cmd: &crate::cmdline::CommandLine, needles: &[&str]) -> bool {
    let Some(k) = cmd.kubectl.as_ref() else {
        return false;
    };
    if k.verb != "logs" {
        return false;
    }
    let hit = |s: &str| needles.iter().any(|n| s.contains(n));
    k.resource.as_deref().is_some_and(hit)
        || k.names.iter().any(|n| hit(n))
        || k.selector.as_deref().is_some_and(hit)
}

/// Undo Go's `%q` escapes in a structured log value (`\"` → `"`, `\\` → `\`, `\n` → newline).
pub fn unescape_go(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A word from a small vocabulary (a socket state, a protocol name) without a heap copy
/// when it is one of `known`: a million `ESTAB` rows share one static string. Serialises
/// as the same JSON string as an owned `String`.
pub fn interned(s: &str, known: &'static [&'static str]) -> std::borrow::Cow<'static, str> {
    match known.iter().find(|k| **k == s) {
        Some(k) => std::borrow::Cow::Borrowed(k),
        None => std::borrow::Cow::Owned(s.to_string()),
    }
}
