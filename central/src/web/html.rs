//! Escaping and the pages' small template language. A template is HTML with placeholders:
//! `{{name}}` a value (escaped), `{{t:key}}` a text in the page's languages (escaped),
//! `{{asset:file}}` the versioned address of a static file, `{{json:name}}` a JSON value for a
//! `<script type="application/json">` data block (escaped for that place). Nothing reaches a
//! page unescaped, so an office name or a notice can hold any text.

use std::fmt::Write as _;

use super::assets;
use super::i18n::{self, Langs};

/// Text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON inside `<script type="application/json">`: `<`, `>` and `&` written as `\u003c`… so no
/// text can close the element or open a comment; U+2028/2029 too, for old JavaScript parsers.
pub fn json_for_script(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The values a page is rendered with.
#[derive(Default)]
pub struct Vars<'a> {
    text: Vec<(&'a str, String)>,
    json: Vec<(&'a str, serde_json::Value)>,
}

impl<'a> Vars<'a> {
    pub fn text(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.text.push((name, value.into()));
        self
    }

    pub fn json(mut self, name: &'a str, value: serde_json::Value) -> Self {
        self.json.push((name, value));
        self
    }
}

/// A placeholder the template names but nothing fills: a bug, found by the tests that render
/// every page.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the template has no value for {{{{{0}}}}}")]
pub struct Unfilled(pub String);

/// Renders `template` in `langs` with `vars`.
pub fn render(template: &str, langs: &Langs, vars: &Vars<'_>) -> Result<String, Unfilled> {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| Unfilled(after.chars().take(20).collect()))?;
        let name = after[..end].trim();
        let filled = if let Some(key) = name.strip_prefix("t:") {
            i18n::html(key, langs).ok_or_else(|| Unfilled(name.to_string()))?
        } else if let Some(file) = name.strip_prefix("asset:") {
            escape(&assets::url(file).ok_or_else(|| Unfilled(name.to_string()))?)
        } else if let Some(key) = name.strip_prefix("json:") {
            let v = vars.json.iter().find(|(k, _)| *k == key);
            json_for_script(&v.ok_or_else(|| Unfilled(name.to_string()))?.1)
        } else {
            let v = vars.text.iter().find(|(k, _)| *k == name);
            escape(&v.ok_or_else(|| Unfilled(name.to_string()))?.1)
        };
        out.push_str(&filled);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn hostile_text_stays_text() {
        let hostile = "<script>alert(\"x\")</script> & 'quoted' 🇻🇳";
        assert_eq!(
            escape(hostile),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; 🇻🇳"
        );
        let json = json_for_script(&serde_json::json!({ "a": "</script><!--\u{2028}" }));
        assert_eq!(json, r#"{"a":"\u003c/script\u003e\u003c!--\u2028"}"#);
        let langs = Langs::one(Lang::Vi);
        let page = render(
            "<h1>{{office}}</h1><p title=\"{{office}}\">{{t:display.now-calling}}</p>",
            &langs,
            &Vars::default().text("office", hostile),
        )
        .expect("rendered");
        assert!(
            !page.contains("<script>") && page.contains("Mời số"),
            "{page}"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_is_an_error() {
        let langs = Langs::one(Lang::Vi);
        let none = Vars::default();
        assert_eq!(
            render("{{missing}}", &langs, &none),
            Err(Unfilled("missing".into()))
        );
        assert!(render("{{t:no.such.text}}", &langs, &none).is_err());
        assert!(render("{{asset:nothing.css}}", &langs, &none).is_err());
        assert!(render("{{open", &langs, &none).is_err());
    }
}
