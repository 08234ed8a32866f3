//! Which command made a segment. An explicit command line wins; otherwise every
//! parser's content sniffer looks at the first lines and the most confident wins.
//! Unknown is a valid answer and is shown to the user, with the candidates considered.

use crate::parse::{ParserInfo, ALL};
use crate::split::Segment;
use serde::Serialize;

/// Lines the sniffers see.
pub const SNIFF_LINES: usize = 40;

/// The verdict on one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// Parser kind, or `None` when nothing recognised it.
    pub kind: Option<&'static str>,
    /// 0..=1; 1.0 when the command line decided.
    pub confidence: f32,
    /// Why, in words, for the user.
    pub why: String,
    /// Other kinds that also fit (ambiguous text), best first.
    pub candidates: Vec<Candidate>,
}

/// A kind that fit, with its sniffer's confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub kind: &'static str,
    pub confidence: f32,
}

/// Detect a segment's kind.
pub fn detect(seg: &Segment) -> Detection {
    if let Some(cmd) = &seg.command {
        if let Some(p) = ALL.iter().find(|p| (p.matches_command)(cmd)) {
            // kubectl printed an error instead of the table or object asked for: the
            // error is the output.
            if let Some(err) = kubectl_error_instead(seg, p.kind) {
                return err;
            }
            // `cat FILE` names a file, not its format: when the text is plainly another
            // kind's and not this one's (`cat cluster.yaml` holding kubeadm's
            // ClusterConfiguration), the content decides.
            if crate::cmdline::FILE_VIEWERS.contains(&cmd.program.as_str()) {
                let head = seg.head(SNIFF_LINES);
                if (p.sniff)(head).is_none_or(|c| c <= 0.0) {
                    if let Some(best) = sniff_all(head)
                        .into_iter()
                        .find(|c| c.confidence >= 0.9 && c.kind != p.kind)
                    {
                        return Detection {
                            kind: Some(best.kind),
                            confidence: best.confidence,
                            why: format!(
                                "content looks like {} output (the file name in `{}` suggested {})",
                                best.kind, cmd.text, p.kind
                            ),
                            candidates: vec![Candidate {
                                kind: p.kind,
                                confidence: 0.5,
                            }],
                        };
                    }
                }
            }
            return Detection {
                kind: Some(p.kind),
                confidence: 1.0,
                why: format!("command line `{}`", cmd.text),
                candidates: Vec::new(),
            };
        }
    }
    let mut found = sniff_all(seg.head(SNIFF_LINES));
    let why_cmd = seg
        .command
        .as_ref()
        .map(|c| format!("command `{}` is not one netdoc reads; ", c.text))
        .unwrap_or_default();
    if found.is_empty() {
        return Detection {
            kind: None,
            confidence: 0.0,
            why: format!("{why_cmd}no parser recognised the text"),
            candidates: Vec::new(),
        };
    }
    let best = found.remove(0);
    Detection {
        kind: Some(best.kind),
        confidence: best.confidence,
        why: format!("{why_cmd}content looks like {} output", best.kind),
        candidates: found,
    }
}

/// A kubectl command whose output starts with kubectl's own error message.
fn kubectl_error_instead(seg: &Segment, claimed: &'static str) -> Option<Detection> {
    let cmd = seg.command.as_ref()?;
    cmd.kubectl.as_ref()?;
    let err = crate::parse::registry::info("kubectl-error")?;
    if claimed == err.kind {
        return None;
    }
    let first = seg.lines().map(|(_, l)| l).find(|l| !l.trim().is_empty())?;
    (err.sniff)(first)?;
    Some(Detection {
        kind: Some(err.kind),
        confidence: 0.95,
        why: format!("command line `{}` printed an error", cmd.text),
        candidates: vec![Candidate {
            kind: claimed,
            confidence: 0.5,
        }],
    })
}

/// Every sniffer's opinion on `head`, best first.
pub fn sniff_all(head: &str) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = ALL
        .iter()
        .filter_map(|p: &&ParserInfo| {
            (p.sniff)(head).filter(|c| *c > 0.0).map(|c| Candidate {
                kind: p.kind,
                confidence: c.min(0.99),
            })
        })
        .collect();
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    found
}

/// The kind a block of text starts, for the splitter's content boundaries.
pub fn sniff_kind(head: &str) -> Option<&'static str> {
    sniff_all(head)
        .first()
        .filter(|c| c.confidence >= 0.5)
        .map(|c| c.kind)
}

/// The splitter's boundary sniffer: [`sniff_kind`], except that a block whose first line
/// the kind above it is sure of (0.9 or more from its own sniffer) continues that kind
/// without asking the other 57. A 30 MB `iptables -L` is 20,000 blank-line blocks, one
/// per chain (`Chain KUBE-SEP-… (1 references)`); asking every sniffer of each was two
/// thirds of reading it. A block that starts like the output above it but has another
/// output's line further down, with no blank line between, now stays with the output
/// above instead of starting a segment there. `tests/detection.rs` checks that both cut
/// every fixture (alone, twice, and before another kind), scenario and corpus paste the
/// same way, and that the shortcut never cuts where the full sniff does not.
pub struct Blocks;

/// What a block's own kind must be sure of to continue it.
const CONTINUES: f32 = 0.9;

impl crate::split::Sniff for Blocks {
    fn kind(&self, head: &str) -> Option<&'static str> {
        sniff_kind(head)
    }

    fn continues(&self, kind: &'static str, head: &str) -> bool {
        let first = head.lines().next().unwrap_or("");
        crate::parse::registry::info(kind)
            .and_then(|p| (p.sniff)(first))
            .is_some_and(|c| c >= CONTINUES)
    }
}
