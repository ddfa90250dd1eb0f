//! PostgreSQL scripts: the transaction's `BEGIN` goes out together with the script's first
//! statement, so that statement must still run inside the transaction, and a failed script
//! must leave nothing behind, the first statement's write included.

use motcua_central::Database;
use motcua_central::store::{Param, Store};

use crate::pg::TestDatabase;

fn store(db: &TestDatabase) -> (tokio::runtime::Runtime, Store) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime
        .block_on(Store::open(&Database::Postgres(db.url.clone()), 2))
        .expect("store");
    (runtime, store)
}

#[test]
fn the_first_statement_runs_inside_the_transaction() {
    let db = TestDatabase::new();
    let (runtime, store) = store(&db);
    // Outside a transaction block `SET LOCAL` does nothing (PostgreSQL only warns).
    let setting = runtime
        .block_on(store.write(|sql| {
            sql.execute("SET LOCAL statement_timeout = '4321ms'", &[])?;
            Ok(sql
                .query_one("SELECT current_setting('statement_timeout')", &[])?
                .text(0)?)
        }))
        .expect("script");
    assert_eq!(setting, "4321ms");
}

#[test]
fn a_failed_script_leaves_nothing_not_even_its_first_write() {
    let db = TestDatabase::new();
    let (runtime, store) = store(&db);
    let insert = "INSERT INTO events (office_id, kind, data, at) VALUES (?1, 'test', '{}', now())";
    let failed = runtime.block_on(store.write(move |sql| {
        sql.execute(insert, &[Param::from("rolled-back")])?;
        // Division by zero: the script fails after its write.
        sql.query_one("SELECT 1 / (SELECT COUNT(*) - COUNT(*) FROM events)", &[])?;
        Ok(())
    }));
    assert!(failed.is_err(), "the script failed");
    let count = |office: &'static str| {
        runtime
            .block_on(store.read(move |sql| {
                Ok(sql
                    .query_one(
                        "SELECT COUNT(*) FROM events WHERE office_id = ?1",
                        &[Param::from(office)],
                    )?
                    .int(0)?)
            }))
            .expect("count")
    };
    assert_eq!(count("rolled-back"), 0, "the first write was rolled back");
    // The connection it ran on is fit for the next script (two connections, both used).
    for _ in 0..4 {
        runtime
            .block_on(store.write(move |sql| {
                sql.execute(insert, &[Param::from("kept")])?;
                Ok(())
            }))
            .expect("a later script");
    }
    assert_eq!(count("kept"), 4);
}
