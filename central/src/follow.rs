//! A ticket as its holder follows it on a phone (`/t/{follow_id}`): its number and service, how
//! many are ahead, the estimated wait, or the counter that called it. The follow id is the
//! ticket's own unguessable id, known only from its paper (the QR code) or the kiosk's answer;
//! nothing here names the citizen.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::problem::ApiError;
use crate::queue::{self, estimate_minutes};
use crate::store::{Sql, params};

/// The follow page of a ticket, as the ticket answer's `follow_path` gives it.
pub fn path(follow_id: &str) -> String {
    format!("/t/{follow_id}")
}

/// 32 lower-case hexadecimal digits, as [`queue::new_ticket_id`] makes them.
pub fn is_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The office a followed ticket belongs to, and what its page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub office: String,
    /// `number`, `service_id`, `service_vi`, `service_en`, `status` (`waiting`, `called`,
    /// `no-show`, `done`, or `past` for another day's ticket), `people_ahead`,
    /// `estimated_wait_min`, `counter`.
    pub view: Value,
}

/// The ticket with this follow id, as of `today`; `None` when there is none.
pub fn read(
    sql: &mut dyn Sql,
    follow_id: &str,
    today: NaiveDate,
) -> Result<Option<Followed>, ApiError> {
    let Some(row) = sql.query_opt(
        "SELECT t.id, t.office_id, t.service_id, t.office_day, t.number, t.priority, t.status,
                t.counter, s.name_vi, s.name_en
         FROM tickets t
         JOIN queue_services s ON s.office_id = t.office_id AND s.id = t.service_id
         WHERE t.follow_id = ?1",
        &params![follow_id],
    )?
    else {
        return Ok(None);
    };
    let (id, office, service_id, day) = (row.int(0)?, row.text(1)?, row.text(2)?, row.date(3)?);
    let (priority, mut status) = (row.text(5)?, row.text(6)?);
    let (mut ahead, mut wait) = (None, None);
    if day != today {
        status = "past".into();
    } else if status == "waiting" {
        let n = sql
            .query_one(
                "SELECT COUNT(*) FROM tickets
                 WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3
                   AND status = 'waiting' AND id <> ?4
                   AND ((priority <> 'none') > (?5 <> 'none') OR
                        ((priority <> 'none') = (?5 <> 'none') AND id < ?4))",
                &params![
                    office.as_str(),
                    service_id.as_str(),
                    day,
                    id,
                    priority.as_str()
                ],
            )?
            .int(0)?;
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let pace = queue::state(sql, &office, &service_id, day)?.seconds_per_person;
        ahead = Some(n);
        wait = Some(estimate_minutes(n, pace));
    }
    let counter = if status == "called" {
        row.opt_text(7)?
    } else {
        None
    };
    Ok(Some(Followed {
        office,
        view: json!({
            "number": row.text(4)?,
            "service_id": service_id,
            "service_vi": row.text(8)?,
            "service_en": row.text(9)?,
            "status": status,
            "people_ahead": ahead,
            "estimated_wait_min": wait,
            "counter": counter,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_what_the_server_makes() {
        let made = queue::new_ticket_id().unwrap_or_default();
        assert!(is_id(&made), "{made}");
        assert_eq!(path(&made), format!("/t/{made}"));
        for wrong in [
            "",
            "ABCDEF0123456789abcdef0123456789",
            "../../etc/passwd",
            &"a".repeat(33),
        ] {
            assert!(!is_id(wrong), "{wrong}");
        }
    }
}
