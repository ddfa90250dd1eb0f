//! Held-out search quality: queries as citizens type them (no diacritics, partial, abbreviated,
//! misspelt), written without looking at how the ranking is tuned, each with the procedures that
//! answer it. The synonyms and the "thủ tục thường gặp" weights were tuned on the cases in
//! `ranking.rs`; these must not get worse. `cargo test -p motcua-catalog quality -- --nocapture`
//! prints the figures.

use super::{codes, indexed};

/// (query, the procedures of the 326 that answer it; the first is the best answer). Labelled
/// by the procedures' names, not by what the search returns.
const HELD_OUT: &[(&str, &[&str])] = &[
    ("dang ky ket hon", &["1.000894", "1.000593", "2.000806"]),
    (
        "ket hon nguoi nuoc ngoai",
        &["2.000806", "1.000094", "2.000513"],
    ),
    ("dang ky lai khai sinh", &["1.004884", "2.000522"]),
    (
        "khai tu",
        &["1.000656", "1.000419", "1.005461", "1.001766", "2.000497"],
    ),
    ("nhan cha me con", &["1.001022", "2.000779", "1.000080"]),
    ("giam ho", &["1.004837", "1.001669", "1.004845", "2.000756"]),
    ("cham dut giam ho", &["1.004845", "2.000756"]),
    ("cai chinh ho tich", &["1.004859", "2.000748"]),
    ("xac dinh lai dan toc", &["1.004859", "2.000748"]),
    ("ly hon", &["2.000554"]),
    ("trich luc", &["2.000635"]),
    ("ban sao giay khai sinh", &["2.000635"]),
    ("chung thuc chu ky", &["2.000884", "2.000992", "2.001008"]),
    ("chu ky nguoi dich", &["2.000992", "2.001008"]),
    ("ban sao tu so goc", &["2.000908"]),
    ("di chuc", &["2.001019"]),
    ("tu choi nhan di san", &["2.001016"]),
    ("phan chia di san", &["2.001406"]),
    ("sua loi giao dich", &["2.000927"]),
    ("thanh lap ho kinh doanh", &["1.001612"]),
    (
        "dang ky ho kinh doanh",
        &["1.001612", "2.000720", "1.014034"],
    ),
    ("tam ngung kinh doanh", &["1.001570"]),
    ("cham dut ho kinh doanh", &["1.001266"]),
    ("cap lai giay chung nhan ho kinh doanh", &["2.000575"]),
    ("giai the hop tac xa", &["1.004982"]),
    ("thanh lap hop tac xa", &["1.005280"]),
    (
        "to hop tac",
        &[
            "2.002637", "2.002226", "2.002639", "2.002642", "2.002228", "2.002640",
        ],
    ),
    (
        "giay phep xay dung",
        &[
            "1.013225", "1.013229", "1.013226", "1.013227", "1.013228", "1.013232",
        ],
    ),
    (
        "gpxd",
        &[
            "1.013225", "1.013229", "1.013226", "1.013227", "1.013228", "1.013232",
        ],
    ),
    ("gia han giay phep xay dung", &["1.013227"]),
    ("sua chua cai tao", &["1.013229"]),
    ("di doi cong trinh", &["1.013232"]),
    ("ban quan tri chung cu", &["1.012888"]),
    ("cong nhan ban quan tri", &["1.012888"]),
    ("tranh chap dat", &["1.013967", "1.012812"]),
    (
        "chuyen muc dich su dung dat",
        &["1.013949", "1.013952", "1.013953"],
    ),
    ("dinh chinh giay chung nhan", &["1.012796"]),
    ("cap giay chung nhan lan dau", &["1.013978"]),
    ("khai thac nuoc ngam", &["1.001662"]),
    ("giao dat", &["1.013949", "1.013962", "1.013950"]),
    ("chung thuc di chuc", &["2.001019"]),
    ("ket hom", &["2.000806", "2.000513", "2.002189"]),
    (
        "xay dugn",
        &[
            "1.013225", "1.013229", "1.013226", "1.013227", "1.013228", "1.013232",
        ],
    ),
    ("hop tac xa giai the", &["1.004982"]),
];

/// Top-1 and top-3 hits and the mean reciprocal rank of the first answer within 10.
#[derive(Debug, Clone, Copy)]
struct Quality {
    top1: usize,
    top3: usize,
    mrr: f64,
}

fn measure(misses: &mut Vec<String>) -> Quality {
    let index = indexed();
    let (mut top1, mut top3, mut rr) = (0, 0, 0.0);
    for (query, answers) in HELD_OUT {
        let hits = index.search(query, None, 10).expect("search");
        let found = codes(&hits);
        match found.iter().position(|c| answers.contains(c)) {
            Some(rank) => {
                top1 += usize::from(rank == 0);
                top3 += usize::from(rank < 3);
                rr += 1.0 / (rank as f64 + 1.0);
                if rank > 0 {
                    misses.push(format!(
                        "{query:?}: first answer at {}: {found:?}",
                        rank + 1
                    ));
                }
            }
            None => misses.push(format!("{query:?}: no answer in {found:?}")),
        }
    }
    Quality {
        top1,
        top3,
        mrr: rr / HELD_OUT.len() as f64,
    }
}

#[test]
fn held_out_queries_find_their_procedures() {
    let mut misses = Vec::new();
    let q = measure(&mut misses);
    println!(
        "held-out: {} queries, top-1 {}, top-3 {}, MRR@10 {:.3}\n{}",
        HELD_OUT.len(),
        q.top1,
        q.top3,
        q.mrr,
        misses.join("\n")
    );
    // On the 326 real ward procedures, with the synonyms and weights: top-1 38, top-3 40, MRR
    // 0.890 (on the 55 shipped before: 40, 43, 0.939; without synonyms and weights 39, 43, 0.928).
    // The misses are printed above: a foreign marriage, a relocation, "nuoc ngam", two typos.
    assert!(
        q.top1 >= 38 && q.top3 >= 40 && q.mrr >= 0.89,
        "held-out quality fell: {q:?}\n{}",
        misses.join("\n")
    );
}
