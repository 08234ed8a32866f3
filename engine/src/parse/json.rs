//! `netdoc parse` output written while the parsers read: each chunk of records is
//! serialised and dropped before the next is read, so a 160 MB dump never sits in memory
//! as a million records, a JSON tree or a whole output string.
//!
//! The JSON is what serialising [`Parsed`](super::Parsed) gives, except that `problems`
//! and `status` come after `records` (they are known only once the last line is read;
//! JSON objects are unordered):
//!
//! ```text
//! { "kind": "ss", "records": { "kind": "ss", "records": [ … ] }, "problems": [ … ], "status": "parsed" }
//! ```

use super::{parse_stream, Streamed, CHUNK_RECORDS};
use crate::split::Segment;
use serde::ser::{Error as _, SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;
use std::cell::RefCell;

/// One segment read as `kind`, serialised as its parser reads it.
struct Lazy<'a, 's> {
    kind: &'static str,
    seg: &'a Segment<'s>,
    /// Filled in once the records have been written.
    done: RefCell<Option<Streamed>>,
}

impl Serialize for Lazy<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Parsed", 4)?;
        st.serialize_field("kind", self.kind)?;
        st.serialize_field("records", &Tagged(self))?;
        let done = self.done.borrow();
        let Some(done) = done.as_ref() else {
            return Err(S::Error::custom("the records were not read"));
        };
        st.serialize_field("problems", &done.problems)?;
        st.serialize_field("status", &done.status)?;
        st.end()
    }
}

/// `{ "kind": …, "records": [ … ] }`, as [`Records`](super::Records) serialises.
struct Tagged<'l, 'a, 's>(&'l Lazy<'a, 's>);

impl Serialize for Tagged<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Records", 2)?;
        st.serialize_field("kind", self.0.kind)?;
        st.serialize_field("records", &Elements(self.0))?;
        st.end()
    }
}

/// The records array, filled chunk by chunk.
struct Elements<'l, 'a, 's>(&'l Lazy<'a, 's>);

impl Serialize for Elements<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lazy = self.0;
        let mut seq = s.serialize_seq(None)?;
        let mut failed = None;
        let done = parse_stream(lazy.kind, lazy.seg, CHUNK_RECORDS, &mut |records| {
            if failed.is_none() {
                failed = records.serialize_each(&mut seq).err();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        *lazy.done.borrow_mut() = done;
        SerializeSeq::end(seq)
    }
}

/// Write `seg` read as `kind` to `w` as pretty JSON (`null` for an unknown kind).
pub fn write_as<W: std::io::Write>(kind: &str, seg: &Segment, w: W) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::pretty(w);
    match super::registry::info(kind) {
        Some(info) => Lazy {
            kind: info.kind,
            seg,
            done: RefCell::new(None),
        }
        .serialize(&mut ser),
        None => ser.serialize_none(),
    }
}

/// One segment of a paste: where it is, how it was recognised, what it holds. Keys in
/// the order `parse_all`'s JSON object gives them.
struct SegmentOut<'a, 's> {
    seg: &'a Segment<'s>,
    detection: crate::detect::Detection,
}

impl Serialize for SegmentOut<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let seg = self.seg;
        let mut st = s.serialize_struct("Segment", 5)?;
        st.serialize_field("command", &seg.command.as_ref().map(|c| c.text.as_str()))?;
        st.serialize_field("detection", &self.detection)?;
        st.serialize_field("index", &seg.index)?;
        st.serialize_field(
            "lines",
            &[seg.command_line.unwrap_or(seg.first_line), seg.last_line()],
        )?;
        let lazy = self.detection.kind.map(|kind| Lazy {
            kind,
            seg,
            done: RefCell::new(None),
        });
        st.serialize_field("parsed", &lazy)?;
        st.end()
    }
}

impl<'a, 's> SegmentOut<'a, 's> {
    fn of(seg: &'a Segment<'s>) -> Self {
        SegmentOut {
            seg,
            detection: crate::detect::detect(seg),
        }
    }
}

/// Split, detect and parse a paste, writing every segment with its records to `w` as a
/// pretty JSON array, as it is read.
pub fn write_all<W: std::io::Write>(input: &str, w: W) -> serde_json::Result<()> {
    let segments = crate::split::split(input, &crate::detect::Blocks);
    let mut ser = serde_json::Serializer::pretty(w);
    let mut seq = ser.serialize_seq(Some(segments.len()))?;
    for seg in &segments {
        seq.serialize_element(&SegmentOut::of(seg))?;
    }
    SerializeSeq::end(seq)
}

/// [`write_all`]'s array as a JSON value, for a caller that looks into it (it holds every
/// record: for small pastes).
pub fn to_value(input: &str) -> serde_json::Value {
    let segments = crate::split::split(input, &crate::detect::Blocks);
    serde_json::Value::Array(
        segments
            .iter()
            .map(|seg| serde_json::to_value(SegmentOut::of(seg)).unwrap_or_default())
            .collect(),
    )
}
