//! The pages' words in Vietnamese and English, from `central/web/texts.tsv` (one text a line:
//! key, Vietnamese, English, separated by tabs). A page is shown in one language, or, on a
//! lobby display set to both, in Vietnamese with the English beside it.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use serde_json::{Map, Value};

use super::html::escape;

const TEXTS: &str = include_str!("../../web/texts.tsv");

/// The cookie that remembers a visitor's language between pages.
pub const LANG_COOKIE: &str = "motcua-lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a visitor asked for with `?lang=` or chose before (the cookie);
    /// Vietnamese otherwise.
    pub fn chosen(query: Option<&str>, headers: &HeaderMap) -> Self {
        query
            .and_then(Self::parse)
            .or_else(|| cookie(headers))
            .unwrap_or(Lang::Vi)
    }

    /// The `Set-Cookie` value that remembers this language for a year.
    pub fn cookie(self) -> String {
        format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            self.code()
        )
    }
}

fn cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// The languages of one page: the first is the page's own, a second is shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Langs(Vec<Lang>);

impl Langs {
    pub fn one(lang: Lang) -> Self {
        Self(vec![lang])
    }

    /// `vi`, `en`, `vi,en` or `en,vi`; `None` for anything else.
    pub fn parse(list: &str) -> Option<Self> {
        let langs: Vec<Lang> = list.split(',').map(Lang::parse).collect::<Option<_>>()?;
        let distinct = langs.len() == 1 || (langs.len() == 2 && langs[0] != langs[1]);
        distinct.then_some(Self(langs))
    }

    pub fn first(&self) -> Lang {
        self.0.first().copied().unwrap_or(Lang::Vi)
    }

    pub fn all(&self) -> &[Lang] {
        &self.0
    }

    /// `vi` or `vi,en`, as in the address.
    pub fn codes(&self) -> String {
        self.0
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

struct Text {
    vi: &'static str,
    en: &'static str,
}

fn catalog() -> &'static HashMap<&'static str, Text> {
    static CATALOG: OnceLock<HashMap<&'static str, Text>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        entries()
            .filter_map(Result::ok)
            .map(|(key, vi, en)| (key, Text { vi, en }))
            .collect()
    })
}

/// The lines of the texts file: `(key, vi, en)`, or the line number of a malformed one.
fn entries() -> impl Iterator<Item = Result<(&'static str, &'static str, &'static str), usize>> {
    TEXTS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let mut cols = l.split('\t');
            match (cols.next(), cols.next(), cols.next(), cols.next()) {
                (Some(k), Some(vi), Some(en), None)
                    if !k.is_empty() && !vi.is_empty() && !en.is_empty() =>
                {
                    Ok((k, vi, en))
                }
                _ => Err(i + 1),
            }
        })
}

/// A text in one language.
pub fn text(key: &str, lang: Lang) -> Option<&'static str> {
    catalog().get(key).map(|t| match lang {
        Lang::Vi => t.vi,
        Lang::En => t.en,
    })
}

/// A text as HTML: the first language's, and the second's beside it in a `span.alt`.
pub fn html(key: &str, langs: &Langs) -> Option<String> {
    let mut out = String::new();
    for (i, lang) in langs.all().iter().enumerate() {
        let t = escape(text(key, *lang)?);
        if i == 0 {
            out.push_str(&t);
        } else {
            out.push_str(&format!(
                " <span class=\"alt\" lang=\"{}\">{t}</span>",
                lang.code()
            ));
        }
    }
    Some(out)
}

/// The texts whose keys start with `prefix`, for a page's script: key (without the prefix) →
/// the texts in the page's languages.
pub fn for_script(prefix: &str, langs: &Langs) -> Value {
    let mut out = Map::new();
    for (key, _) in catalog().iter() {
        if let Some(short) = key.strip_prefix(prefix) {
            let texts: Vec<Value> = langs
                .all()
                .iter()
                .filter_map(|l| text(key, *l))
                .map(Value::from)
                .collect();
            out.insert(short.to_string(), Value::Array(texts));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_texts_file_is_a_key_and_two_texts_and_keys_are_unique() {
        let bad: Vec<usize> = entries().filter_map(Result::err).collect();
        assert!(bad.is_empty(), "malformed lines of texts.tsv: {bad:?}");
        let keys: Vec<&str> = entries().filter_map(Result::ok).map(|e| e.0).collect();
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(keys.len(), unique.len(), "a key is given twice");
    }

    #[test]
    fn languages_come_from_the_address_then_the_cookie() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::chosen(None, &headers), Lang::Vi);
        headers.insert(COOKIE, "a=b; motcua-lang=en".parse().expect("header"));
        assert_eq!(Lang::chosen(None, &headers), Lang::En);
        assert_eq!(Lang::chosen(Some("vi"), &headers), Lang::Vi);
        assert_eq!(
            Langs::parse("vi,en").map(|l| l.codes()),
            Some("vi,en".into())
        );
        assert_eq!(Langs::parse("vi,vi"), None);
        assert_eq!(Langs::parse("fr"), None);
        let both = Langs::parse("vi,en").expect("both");
        assert_eq!(
            html("display.counter", &both).as_deref(),
            Some("Quầy <span class=\"alt\" lang=\"en\">Counter</span>")
        );
    }
}
