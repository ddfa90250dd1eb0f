//! Every string a citizen can see has an English translation.

use std::collections::HashMap;
use std::path::Path;

use crate::support;

fn slint_sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read ui dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            slint_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// The `@tr("...")` strings of a .slint file (no escaped quotes are used in ours).
fn tr_strings(text: &str) -> Vec<String> {
    text.match_indices("@tr(\"")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

fn po_entries(text: &str) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("msgid \"") {
            id = Some(v.trim_end_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("msgstr \"")
            && let Some(id) = id.take()
        {
            entries.insert(id, v.trim_end_matches('"').to_string());
        }
    }
    entries
}

#[test]
fn every_visible_string_has_an_english_translation() {
    let root = support::repo_root();
    let po =
        std::fs::read_to_string(root.join("assets/translations/en/LC_MESSAGES/motcua-kiosk.po"))
            .expect("English translation file");
    let entries = po_entries(&po);
    let mut files = Vec::new();
    slint_sources(&root.join("ui"), &mut files);
    let mut missing = Vec::new();
    let mut count = 0;
    for file in &files {
        for s in tr_strings(&std::fs::read_to_string(file).expect("read slint")) {
            count += 1;
            if entries.get(&s).is_none_or(|t| t.is_empty()) {
                missing.push(format!("{}: {s}", file.display()));
            }
        }
    }
    assert!(count > 20, "found only {count} translatable strings");
    assert!(
        missing.is_empty(),
        "no English for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_plain_string_literals_bypass_translation() {
    // `text: "..."` shows a string no one can translate; the language names, and the attract
    // screen's line for visitors who do not read Vietnamese, are the exceptions.
    let allowed = [
        "\"Tiếng Việt\"",
        "\"English\"",
        "\"\"",
        "\"Touch the screen to start · English available\"",
    ];
    let mut files = Vec::new();
    slint_sources(&support::repo_root().join("ui"), &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read slint");
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(value) = line.strip_prefix("text: \"") {
                let literal = format!("\"{}", value.trim_end_matches(';'));
                if !allowed.contains(&literal.as_str()) && literal.chars().any(char::is_alphabetic)
                {
                    found.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "untranslated text:\n{}", found.join("\n"));
}
