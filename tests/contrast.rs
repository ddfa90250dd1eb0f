//! Every pair of text and background colours the screens use reads at WCAG AA (4.5:1) in both
//! themes. The colours come from `ui/theme.slint` itself, so a change there is checked here.

use std::collections::HashMap;

/// (text, background) pairs as the pages use them.
const PAIRS: &[(&str, &str)] = &[
    ("text", "background"),
    ("text", "surface"),
    ("text-muted", "background"),
    ("text-muted", "surface"),
    ("placeholder", "surface"),
    ("face-0", "surface"),
    ("face-1", "surface"),
    ("face-2", "surface"),
    ("face-3", "surface"),
    ("surface", "face-0"),
    ("surface", "face-1"),
    ("surface", "face-2"),
    ("surface", "face-3"),
    ("primary", "surface"),
    ("primary", "background"),
    ("on-primary", "primary"),
    ("on-header", "header"),
    ("on-key", "key"),
    ("on-disabled", "disabled"),
    ("ok", "surface"),
    ("warn", "surface"),
    ("error", "surface"),
    ("error", "background"),
    ("on-notice", "notice"),
    ("on-action", "action-queue"),
    ("on-action", "action-catalog"),
    ("on-action", "action-dossier"),
    ("on-action", "action-feedback"),
];

/// `name → (standard, high contrast)` for every `high-contrast ? #hc : #std` colour.
fn theme() -> HashMap<String, ([u8; 3], [u8; 3])> {
    let text = std::fs::read_to_string(crate::support::repo_root().join("ui/theme.slint"))
        .expect("theme.slint");
    let mut colours = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("out property <color> ") else {
            continue;
        };
        let (name, value) = rest.split_once(':').expect("name: value");
        let value = value.trim().trim_end_matches(';');
        let (hc, std) = value
            .strip_prefix("high-contrast ?")
            .and_then(|v| v.split_once(':'))
            .expect("both themes");
        colours.insert(name.trim().to_string(), (rgb(std), rgb(hc)));
    }
    colours
}

fn rgb(hex: &str) -> [u8; 3] {
    let hex = hex.trim().trim_start_matches('#');
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour");
    [byte(0), byte(2), byte(4)]
}

/// WCAG 2 relative luminance.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_contrast_formula_matches_wcag() {
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
    assert!((contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54).abs() < 0.01);
}

#[test]
fn every_text_colour_reads_at_wcag_aa_in_both_themes() {
    let theme = theme();
    assert!(
        theme.len() >= 20,
        "the theme's colours were found ({})",
        theme.len()
    );
    let mut failures = Vec::new();
    for (fg, bg) in PAIRS {
        let (fg_std, fg_hc) = theme[*fg];
        let (bg_std, bg_hc) = theme[*bg];
        for (name, ratio) in [
            ("standard", contrast(fg_std, bg_std)),
            ("high contrast", contrast(fg_hc, bg_hc)),
        ] {
            if ratio < 4.5 {
                failures.push(format!("{fg} on {bg}, {name}: {ratio:.2}:1"));
            }
        }
    }
    assert!(failures.is_empty(), "below 4.5:1: {failures:#?}");
}
