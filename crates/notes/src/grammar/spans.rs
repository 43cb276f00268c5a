//! harper counts in characters; HTTP clients and editors want bytes and line/column.

/// Character index to byte offset and line/column, for one text.
pub struct SpanMap {
    /// Byte offset of each character, plus the text's length at the end.
    char_bytes: Vec<usize>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    len: usize,
}

impl SpanMap {
    /// The map of `text`.
    pub fn new(text: &str) -> Self {
        let mut char_bytes: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
        char_bytes.push(text.len());
        let line_starts = line_starts(text);
        Self {
            char_bytes,
            line_starts,
            len: text.len(),
        }
    }

    /// The byte offset of character `index` (`None` past the end).
    pub fn byte(&self, index: usize) -> Option<usize> {
        self.char_bytes.get(index).copied()
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_column(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.len);
        let line = self.line_starts.partition_point(|start| *start <= byte);
        let line_start = self.line_starts[line - 1];
        let first_char = self.char_bytes.partition_point(|at| *at < line_start);
        let char_at = self.char_bytes.partition_point(|at| *at < byte);
        (line, char_at - first_char + 1)
    }
}

/// Where each line starts (a text ending in a line break has an empty last line), ending
/// lines as CommonMark does: at `\n`, `\r\n` or a lone `\r`.
pub(super) fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'\n' || (*byte == b'\r' && bytes.get(at + 1) != Some(&b'\n')) {
            starts.push(at + 1);
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_map_to_bytes_lines_and_columns() {
        let map = SpanMap::new("héllo\nwörld é");
        assert_eq!(map.byte(1), Some(1));
        assert_eq!(map.byte(2), Some(3));
        assert_eq!(map.byte(12), Some(14));
        assert_eq!(map.byte(13), Some(16));
        assert_eq!(map.byte(14), None);
        assert_eq!(map.line_column(0), (1, 1));
        assert_eq!(map.line_column(3), (1, 3));
        assert_eq!(map.line_column(7), (2, 1));
        assert_eq!(map.line_column(13), (2, 6));
        assert_eq!(map.line_column(14), (2, 7));
        assert_eq!(map.line_column(16), (2, 8));
        let old_mac = SpanMap::new("one\rtwo\r\nthree");
        assert_eq!(old_mac.line_column(4), (2, 1));
        assert_eq!(old_mac.line_column(9), (3, 1));
    }
}
