//! `ranking-first.tsv`: queries and the procedure each must put first. The same file is run
//! against the office server's web search (central/tests/api/public.rs), so the phone and the
//! lobby screen agree.

use super::{codes, indexed};

/// `(query, expected code)` of every line of the table.
pub fn table() -> Vec<(String, String)> {
    include_str!("ranking-first.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (q, c) = l.split_once('\t').expect("query TAB code");
            (q.to_string(), c.to_string())
        })
        .collect()
}

#[test]
fn every_query_of_the_shared_table_puts_its_procedure_first() {
    let index = indexed();
    let table = table();
    assert!(table.len() >= 20, "the table is read");
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(q, expected)| {
            let hits = index.search(q, None, 10).expect("search");
            (hits.first().map(|h| h.code.as_str()) != Some(expected.as_str()))
                .then(|| format!("{q:?}: expected {expected}, got {:?}", codes(&hits)))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
