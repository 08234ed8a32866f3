//! From parsed segments to [`Facts`]: one adapter per record kind, then the joins.

use super::*;
use crate::parse::{Parsed, Records};
use crate::split::Segment;

/// Build the store from every segment that parsed.
pub fn build(parsed: &[(&Segment, Option<&Parsed>)]) -> Facts {
    let mut f = Facts::default();
    for (seg, p) in parsed {
        let Some(p) = p else { continue };
        if !f.kinds_seen.iter().any(|k| k == p.kind) {
            f.kinds_seen.push(p.kind.to_string());
        }
        add(&mut f, seg, &p.records);
    }
    f
}

#[allow(clippy::match_single_binding)]
fn add(_f: &mut Facts, _seg: &Segment, records: &Records) {
    match records {
        _ => {}
    }
}
