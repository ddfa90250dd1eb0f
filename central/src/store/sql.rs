//! The one SQL interface both databases answer. Every storage operation is written once, as a
//! transaction script over [`Sql`], in the SQL both SQLite and PostgreSQL understand:
//! placeholders `?1`, `?2`… (turned into `$1`… for PostgreSQL), `ON CONFLICT … DO …`,
//! `RETURNING`, `COUNT(*) FILTER (WHERE …)`. Values cross it as [`Param`]s and come back as
//! [`Row`]s of [`Cell`]s, so a time is a time in PostgreSQL (`timestamptz`) and RFC 3339 text
//! in SQLite without the scripts knowing which.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::clock::{format_time, office_offset, parse_time};

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// A uniqueness rule refused the write (the caller may turn it into a 409).
    #[error("unique constraint: {0}")]
    Unique(String),
    /// The database cannot be reached, or the connection broke: worth a retry later (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Two transactions collided (serialization failure, deadlock, busy): worth retrying now.
    #[error("transaction conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Other(String),
    /// A column did not hold what the script expected.
    #[error("column {index}: {why}")]
    Column { index: usize, why: String },
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Time(DateTime<FixedOffset>),
    Date(NaiveDate),
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}

impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(v.clone())
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<u32> for Param {
    fn from(v: u32) -> Self {
        Param::Int(i64::from(v))
    }
}

impl From<u8> for Param {
    fn from(v: u8) -> Self {
        Param::Int(i64::from(v))
    }
}

impl From<usize> for Param {
    fn from(v: usize) -> Self {
        Param::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

impl From<DateTime<FixedOffset>> for Param {
    fn from(v: DateTime<FixedOffset>) -> Self {
        Param::Time(v)
    }
}

impl From<NaiveDate> for Param {
    fn from(v: NaiveDate) -> Self {
        Param::Date(v)
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

/// `params![a, b, c]` → `[Param; 3]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        [$($crate::store::Param::from($value)),*]
    };
}
pub(crate) use params;

/// One column of a result row, as the database gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Time(DateTime<FixedOffset>),
    Date(NaiveDate),
}

/// A result row with typed getters that accept either database's form of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Cell>);

impl Row {
    fn cell(&self, index: usize) -> Result<&Cell, SqlError> {
        self.0.get(index).ok_or_else(|| SqlError::Column {
            index,
            why: "missing".into(),
        })
    }

    fn wrong(index: usize, want: &str, got: &Cell) -> SqlError {
        SqlError::Column {
            index,
            why: format!("expected {want}, found {got:?}"),
        }
    }

    pub fn is_null(&self, index: usize) -> Result<bool, SqlError> {
        Ok(matches!(self.cell(index)?, Cell::Null))
    }

    pub fn int(&self, index: usize) -> Result<i64, SqlError> {
        match self.cell(index)? {
            Cell::Int(v) => Ok(*v),
            Cell::Bool(b) => Ok(i64::from(*b)),
            other => Err(Self::wrong(index, "an integer", other)),
        }
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, SqlError> {
        if self.is_null(index)? {
            Ok(None)
        } else {
            self.int(index).map(Some)
        }
    }

    pub fn real(&self, index: usize) -> Result<f64, SqlError> {
        match self.cell(index)? {
            Cell::Real(v) => Ok(*v),
            Cell::Int(v) => Ok(*v as f64),
            other => Err(Self::wrong(index, "a number", other)),
        }
    }

    pub fn text(&self, index: usize) -> Result<String, SqlError> {
        match self.cell(index)? {
            Cell::Text(v) => Ok(v.clone()),
            other => Err(Self::wrong(index, "text", other)),
        }
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<String>, SqlError> {
        if self.is_null(index)? {
            Ok(None)
        } else {
            self.text(index).map(Some)
        }
    }

    pub fn bool(&self, index: usize) -> Result<bool, SqlError> {
        match self.cell(index)? {
            Cell::Bool(b) => Ok(*b),
            Cell::Int(v) => Ok(*v != 0),
            other => Err(Self::wrong(index, "a boolean", other)),
        }
    }

    /// A time, in the office offset: PostgreSQL `timestamptz` or SQLite RFC 3339 text.
    pub fn time(&self, index: usize) -> Result<DateTime<FixedOffset>, SqlError> {
        match self.cell(index)? {
            Cell::Time(t) => Ok(t.with_timezone(&office_offset())),
            Cell::Text(s) => {
                parse_time(s).ok_or_else(|| Self::wrong(index, "a time", &Cell::Text(s.clone())))
            }
            other => Err(Self::wrong(index, "a time", other)),
        }
    }

    pub fn opt_time(&self, index: usize) -> Result<Option<DateTime<FixedOffset>>, SqlError> {
        if self.is_null(index)? {
            Ok(None)
        } else {
            self.time(index).map(Some)
        }
    }

    /// A date: PostgreSQL `date` or SQLite `YYYY-MM-DD` text.
    pub fn date(&self, index: usize) -> Result<NaiveDate, SqlError> {
        match self.cell(index)? {
            Cell::Date(d) => Ok(*d),
            Cell::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| Self::wrong(index, "a date", &Cell::Text(s.clone()))),
            other => Err(Self::wrong(index, "a date", other)),
        }
    }
}

/// A transaction (or, for reads, a connection) of either database. Scripts call these in order;
/// the store commits when the script returns `Ok` and rolls back otherwise.
pub trait Sql {
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError>;
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError>;

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Param]) -> Result<Option<Row>, SqlError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Exactly one row (aggregates, `RETURNING`).
    fn query_one(&mut self, sql: &str, params: &[Param]) -> Result<Row, SqlError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| SqlError::Other(format!("no row from: {sql}")))
    }

    /// Which database answers, for the few statements that must differ.
    fn dialect(&self) -> Dialect;

    /// An event to publish once this transaction commits (and never if it rolls back).
    fn announce(&mut self, event: crate::events::Event);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// `?1` → `$1`, for PostgreSQL. The scripts hold no `?` inside string literals.
pub fn postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// A time as SQLite stores it.
pub fn sqlite_time(t: DateTime<FixedOffset>) -> String {
    format_time(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(
            postgres_placeholders("SELECT ?1, ?12 WHERE a = ?2 AND b <> '?'"),
            "SELECT $1, $12 WHERE a = $2 AND b <> '?'"
        );
    }

    #[test]
    fn cells_read_either_form() {
        let row = Row(vec![
            Cell::Text("2026-11-25T09:00:00+07:00".into()),
            Cell::Int(1),
            Cell::Text("2026-11-25".into()),
            Cell::Null,
        ]);
        assert_eq!(
            row.time(0).ok().map(format_time).as_deref(),
            Some("2026-11-25T09:00:00+07:00")
        );
        assert_eq!(row.bool(1).ok(), Some(true));
        assert_eq!(row.date(2).ok(), NaiveDate::from_ymd_opt(2026, 11, 25));
        assert_eq!(row.opt_text(3).ok(), Some(None));
        assert!(row.text(1).is_err());
    }
}
