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
