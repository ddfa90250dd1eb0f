//! The `catalog` command line: search, stats, import and sync.

use crate::support::net::{self, KIOSK_TOKEN};
use crate::support::{self, MINIMAL};

fn catalog_config(server: &str) -> support::ConfigDir {
    support::write_config(&format!(
        "{}\n[catalog]\ndatabase = \"var/catalog.sqlite3\"\n",
        MINIMAL.replace("url = \"\"", server)
    ))
}

fn run(dir: &support::ConfigDir, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--config", dir.path.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    let out = support::kiosk_cmd(dir.dir.path(), &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_search_prints_code_tab_name_best_first() {
    let dir = catalog_config("url = \"\"");
    let (code, out, err) = run(&dir, &["catalog", "search", "khai sinh"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let first_line = out.lines().next().expect("a line");
    assert_eq!(
        first_line,
        "2.000635\tCấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"
    );
    assert!(out.lines().count() <= 10);
    assert!(dir.dir.path().join("var/catalog.sqlite3").exists());

    let (code, out, _) = run(
        &dir,
        &[
            "catalog",
            "search",
            "DK KHAI SINH",
            "--limit",
            "2",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], "2.000528");
    assert_eq!(list[0]["field"], "Hộ tịch");

    let (code, out, _) = run(&dir, &["catalog", "search", "\"NEAR( *"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, _, _) = run(&dir, &["catalog", "search"]);
    assert_eq!(code, 2, "missing query is a usage error");
}

#[test]
fn cli_stats_import_and_sync() {
    let dir = catalog_config("url = \"\"");
    let (code, out, err) = run(&dir, &["catalog", "stats"]);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "version:    0",
        "source:     seed",
        "procedures: 55",
        "fields:     10",
        "never",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }

    let file = dir.dir.path().join("small.json");
    std::fs::write(
        &file,
        r#"[{"code": "A.1", "name": "Đăng ký thường trú", "field": "Cư trú"}]"#,
    )
    .expect("write");
    let (code, out, err) = run(&dir, &["catalog", "import", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 procedures"), "{out}");
    let (_, out, _) = run(&dir, &["catalog", "stats"]);
    assert!(
        out.contains("source:     file") && out.contains("procedures: 1"),
        "{out}"
    );

    std::fs::write(&file, "[{\"code\": \"A.2\"}]").expect("write");
    let (code, _, err) = run(&dir, &["catalog", "import", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("[0].name"), "{err}");
    let (code, _, err) = run(&dir, &["catalog", "import", "no-such-file.json"]);
    assert_eq!(code, 2, "{err}");

    // No server configured: a configuration problem.
    let (code, _, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 2);
    assert!(err.contains("[server] url"), "{err}");

    // A real server.
    let central = net::central();
    let dir = catalog_config(&format!(
        "url = \"{}\"\ntoken = \"{KIOSK_TOKEN}\"",
        central.url()
    ));
    let (code, out, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.starts_with("updated to version"), "{out}");
    let (code, out, _) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("unchanged"), "{out}");
    let (_, out, _) = run(&dir, &["catalog", "stats"]);
    assert!(
        out.contains("source:     server") && out.contains("catalog-v"),
        "{out}"
    );

    // The built-in demo server.
    let dir = catalog_config("url = \"demo\"");
    let (code, out, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("55 procedures"), "{out}");

    for help in [
        vec!["catalog", "--help"],
        vec!["catalog", "search", "--help"],
        vec!["catalog", "sync", "--help"],
    ] {
        let (code, out, _) = run(&dir, &help);
        assert_eq!(code, 0);
        assert!(out.contains("Usage"), "{out}");
    }
}
