//! Maps between byte offsets in the config text and key paths such as `queue.services[1].prefix`,
//! so every problem can name both the line:column and the key.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A key path such as `printer.baud` or `queue.services[2].id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Step>);

impl KeyPath {
    pub fn parse(dotted: &str) -> Self {
        let mut steps = Vec::new();
        for part in dotted.split('.').filter(|p| !p.is_empty()) {
            match part.split_once('[') {
                Some((key, rest)) => {
                    steps.push(Step::Key(key.to_string()));
                    if let Ok(i) = rest.trim_end_matches(']').parse() {
                        steps.push(Step::Index(i));
                    }
                }
                None => steps.push(Step::Key(part.to_string())),
            }
        }
        Self(steps)
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte range of the value at `path`; for a missing key, the range of the deepest table that exists
/// (where the key should be added). `None` if the text does not parse at all.
pub fn span_of(source: &str, path: &KeyPath) -> Option<Range<usize>> {
    let root = DeTable::parse(source).ok()?;
    let mut span = root.span();
    let mut current: Option<&DeValue<'_>> = None;
    let mut table: &DeTable<'_> = root.get_ref();
    for step in &path.0 {
        let next: Option<&Spanned<DeValue<'_>>> = match (step, current) {
            (Step::Key(k), _) => table
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                .map(|(key, value)| {
                    // A key names its own line better than a multi-line value does.
                    span = key.span().start..value.span().end;
                    value
                }),
            (Step::Index(i), Some(DeValue::Array(items))) => items.get(*i),
            _ => None,
        };
        let Some(next) = next else { break };
        if matches!(step, Step::Index(_)) {
            span = next.span();
        }
        current = Some(next.get_ref());
        if let DeValue::Table(t) = next.get_ref() {
            table = t;
        }
    }
    Some(span)
}

/// The deepest key path whose key or value contains `offset`.
pub fn path_at(source: &str, offset: usize) -> KeyPath {
    let mut path = KeyPath::default();
    let Ok(root) = DeTable::parse(source) else {
        return path;
    };
    walk_table(root.get_ref(), offset, &mut path);
    path
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut KeyPath) {
    for (key, value) in table.iter() {
        let whole = key.span().start.min(value.span().start)..key.span().end.max(value.span().end);
        if whole.contains(&offset) || key.span().contains(&offset) {
            path.0.push(Step::Key(key.get_ref().to_string()));
            walk_value(value.get_ref(), offset, path);
            return;
        }
    }
    // Array-of-tables and dotted headers are not contiguous: look inside every child.
    for (key, value) in table.iter() {
        let mut candidate = KeyPath(vec![Step::Key(key.get_ref().to_string())]);
        if contains_offset(value, offset, &mut candidate) {
            path.0.extend(candidate.0);
            return;
        }
    }
}

fn contains_offset(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut KeyPath) -> bool {
    match value.get_ref() {
        DeValue::Table(t) => {
            let before = path.0.len();
            walk_table(t, offset, path);
            path.0.len() > before
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.0.push(Step::Index(i));
                if item.span().contains(&offset) || contains_offset(item, offset, path) {
                    if item.span().contains(&offset) {
                        walk_value(item.get_ref(), offset, path);
                    }
                    return true;
                }
                path.0.pop();
            }
            false
        }
        _ => value.span().contains(&offset),
    }
}

fn walk_value(value: &DeValue<'_>, offset: usize, path: &mut KeyPath) {
    match value {
        DeValue::Table(t) => walk_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.span().contains(&offset) {
                    path.0.push(Step::Index(i));
                    walk_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "[kiosk]\nid = \"A\"\n\n[printer]\nbaud = 5\n\n[[queue.services]]\nid = \"x\"\n\n[[queue.services]]\nid = \"y\"\nprefix = \"Q\"\n";

    #[test]
    fn finds_nested_keys_and_array_items() {
        let span = span_of(SRC, &KeyPath::parse("printer.baud")).unwrap();
        assert_eq!(line_col(SRC, span.start), (5, 1));
        let span = span_of(SRC, &KeyPath::parse("queue.services[1].prefix")).unwrap();
        assert_eq!(line_col(SRC, span.start), (12, 1));
    }

    #[test]
    fn path_at_names_the_key_under_the_cursor() {
        let offset = SRC.find("prefix").unwrap();
        assert_eq!(path_at(SRC, offset).to_string(), "queue.services[1].prefix");
        let offset = SRC.find("5").unwrap();
        assert_eq!(path_at(SRC, offset).to_string(), "printer.baud");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "a = \"ệệ\" x";
        assert_eq!(line_col(src, src.find('x').unwrap()), (1, 10));
    }
}
