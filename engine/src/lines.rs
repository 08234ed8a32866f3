//! Quote input lines by number, for evidence.

/// Byte offsets of every line start of an input, built once per diagnosis.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    input: &'a str,
    starts: Vec<usize>,
}

/// Evidence quotes are cut to this many characters: a 1 MB line is not evidence text.
const MAX_QUOTE: usize = 300;

impl<'a> LineIndex<'a> {
    pub fn new(input: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(input.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { input, starts }
    }

    /// The text of 1-based line `n` (without its line ending), or "" when out of range.
    pub fn line(&self, n: usize) -> &'a str {
        let Some(&start) = n.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let end = self
            .starts
            .get(n)
            .map(|e| e - 1)
            .unwrap_or(self.input.len());
        let text = self.input.get(start..end.max(start)).unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The line, trimmed and cut to a readable length.
    pub fn quote(&self, n: usize) -> String {
        let t = self.line(n).trim_end();
        if t.chars().count() > MAX_QUOTE {
            let mut s: String = t.chars().take(MAX_QUOTE).collect();
            s.push('…');
            s
        } else {
            t.to_string()
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True for an empty input.
    pub fn is_empty(&self) -> bool {
        self.input.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_lines_by_number() {
        let idx = LineIndex::new("a\r\nbb\n\nccc");
        assert_eq!(idx.line(1), "a");
        assert_eq!(idx.line(2), "bb");
        assert_eq!(idx.line(3), "");
        assert_eq!(idx.line(4), "ccc");
        assert_eq!(idx.line(0), "");
        assert_eq!(idx.line(99), "");
    }
}
