//! What makes a message, inside the transaction of the change that causes it: a ticket comes
//! near its turn or is called, a dossier reaches a status citizens wait for, or runs late.
//! Each cause makes at most one message per phone (the outbox's dedupe key).

use chrono::{DateTime, Duration, FixedOffset, NaiveTime};

use super::outbox::{self, NewMessage};
use super::subscriptions;
use crate::dossier::{Timeliness, status_labels, timeliness};
use crate::problem::ApiError;
use crate::sms::{SmsSettings, Template, Values};
use crate::store::{Sql, params};

/// The name of an office, for `{office}`.
fn office_name(sql: &mut dyn Sql, office: &str) -> Result<String, ApiError> {
    Ok(sql
        .query_opt("SELECT name FROM offices WHERE id = ?1", &params![office])?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_default())
}

/// Midnight after `now`: a ticket's messages are of no use after its office day.
fn end_of_day(now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let midnight = (now.date_naive() + Duration::days(1)).and_time(NaiveTime::MIN);
    midnight
        .and_local_timezone(*now.offset())
        .single()
        .unwrap_or(now + Duration::days(1))
}

/// A ticket issued with `people_ahead` ahead: with few enough ahead, no "your turn is near"
/// follows (the citizen is at the kiosk; the call's message comes soon).
pub fn ticket_issued(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    office: &str,
    service_id: &str,
    number: &str,
    people_ahead: i64,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    if people_ahead <= i64::from(sms.notify_when_ahead) {
        sql.execute(
            "UPDATE tickets SET near_notified = ?5
             WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3 AND number = ?4",
            &params![office, service_id, now.date_naive(), number, true],
        )?;
    }
    Ok(())
}

/// How a ticket came to be called, for its message: the first call, or a call back after the
/// citizen was marked absent. Recalls of a ticket already called send nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    First,
    AfterAbsence,
}

/// A ticket was called: its phone hears the counter, once per [`Call`].
pub fn ticket_called(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    office: &str,
    ticket_id: &str,
    call: Call,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let Some(row) = sql.query_opt(
        "SELECT phone, number, counter, office_day FROM tickets
         WHERE office_id = ?1 AND public_id = ?2 AND phone IS NOT NULL",
        &params![office, ticket_id],
    )?
    else {
        return Ok(());
    };
    if row.date(3)? != now.date_naive() {
        return Ok(());
    }
    let (phone, number) = (row.text(0)?, row.text(1)?);
    let counter = row.opt_text(2)?.unwrap_or_default();
    let name = office_name(sql, office)?;
    let text = sms.compose(
        &sms.templates.called,
        Values {
            number: Some(&number),
            counter: Some(&counter),
            office: Some(&name),
            ..Values::default()
        },
    );
    outbox::enqueue(
        sql,
        NewMessage {
            office,
            dedupe_key: match call {
                Call::First => format!("ticket:{ticket_id}:called"),
                Call::AfterAbsence => format!("ticket:{ticket_id}:called-again"),
            },
            trigger: "called",
            phone: &phone,
            text,
            expires_at: end_of_day(now),
        },
        now,
    )?;
    // Called: "your turn is near" would now come too late.
    sql.execute(
        "UPDATE tickets SET near_notified = ?3 WHERE office_id = ?1 AND public_id = ?2",
        &params![office, ticket_id, true],
    )?;
    Ok(())
}

/// A service's queue moved (a call, a transfer): the waiting tickets with at most
/// `notify_when_ahead` people ahead that have a phone and were not told yet are told.
pub fn queue_moved(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    office: &str,
    service_id: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    // The call order (priority first, then issue order): the i-th has i people ahead.
    let rows = sql.query(
        "SELECT id, public_id, number, phone, near_notified FROM tickets
         WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3 AND status = 'waiting'
         ORDER BY priority = 'none', id LIMIT ?4",
        &params![
            office,
            service_id,
            now.date_naive(),
            i64::from(sms.notify_when_ahead) + 1
        ],
    )?;
    let mut name = None;
    for row in rows {
        let Some(phone) = row.opt_text(3)? else {
            continue;
        };
        if row.bool(4)? {
            continue;
        }
        let (row_id, ticket_id, number) = (row.int(0)?, row.text(1)?, row.text(2)?);
        let name = match &name {
            Some(n) => n,
            None => name.insert(office_name(sql, office)?),
        };
        let text = sms.compose(
            &sms.templates.turn_near,
            Values {
                number: Some(&number),
                office: Some(name),
                ..Values::default()
            },
        );
        outbox::enqueue(
            sql,
            NewMessage {
                office,
                dedupe_key: format!("ticket:{ticket_id}:near"),
                trigger: "turn-near",
                phone: &phone,
                text,
                expires_at: end_of_day(now),
            },
            now,
        )?;
        sql.execute(
            "UPDATE tickets SET near_notified = ?2 WHERE id = ?1",
            &params![row_id, true],
        )?;
    }
    Ok(())
}

/// A dossier's status changed from `old` (`None`: new) to `new`: its subscribers hear about
/// 5, 6, 9 and 10, once each; at 10 their numbers are forgotten.
pub fn dossier_changed(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    office: &str,
    code: &str,
    old: Option<u8>,
    new: u8,
    now: DateTime<FixedOffset>,
) -> Result<usize, ApiError> {
    if old == Some(new) {
        return Ok(0);
    }
    let mut made = 0;
    if let Some(template) = sms.templates.for_status(new) {
        let label = status_labels(new).map_or("", |(vi, _)| vi);
        made = tell_subscribers(
            sql,
            sms,
            office,
            code,
            template,
            &format!("status-{new}"),
            label,
            now,
        )?;
    }
    if new == 10 {
        subscriptions::end(sql, code)?;
    }
    Ok(made)
}

#[allow(clippy::too_many_arguments)]
fn tell_subscribers(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    office: &str,
    code: &str,
    template: &Template,
    trigger: &str,
    status_label: &str,
    now: DateTime<FixedOffset>,
) -> Result<usize, ApiError> {
    let subscribers = subscriptions::of_dossier(sql, code)?;
    if subscribers.is_empty() {
        return Ok(0);
    }
    let name = office_name(sql, office)?;
    let mut made = 0;
    for s in subscribers {
        let text = sms.compose(
            template,
            Values {
                code: Some(code),
                status: Some(status_label),
                office: Some(&name),
                ..Values::default()
            },
        );
        let new = outbox::enqueue(
            sql,
            NewMessage {
                office,
                dedupe_key: format!("dossier:{code}:{trigger}:{}", s.id),
                trigger,
                phone: &s.phone,
                text,
                expires_at: subscriptions::kept_until(now, sms.keep_days),
            },
            now,
        )?;
        made += usize::from(new);
    }
    Ok(made)
}

/// Whether a dossier in `status`, due at `due_at`, is late on `now`'s office day and not
/// finished (finished dossiers had their result message).
pub fn is_running_late(
    status: u8,
    due_at: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> bool {
    !matches!(status, 9 | 10)
        && timeliness(status, due_at, None, now.date_naive()) == Timeliness::Late
}

/// Tells subscribers of dossiers that have run late since they subscribed, once each.
/// Returns how many messages were made.
pub fn late_dossiers(
    sql: &mut dyn Sql,
    sms: &SmsSettings,
    now: DateTime<FixedOffset>,
) -> Result<usize, ApiError> {
    let rows = sql.query(
        "SELECT s.id, s.phone, d.code, d.office_id, d.status, d.due_at
         FROM sms_subscriptions s JOIN dossiers d ON d.code = s.dossier_code
         WHERE s.late_notified = ?1 AND d.status NOT IN (9, 10) AND d.due_at < ?2",
        &params![false, now],
    )?;
    let mut made = 0;
    for row in rows {
        let status = u8::try_from(row.int(4)?).unwrap_or(0);
        if !is_running_late(status, row.time(5)?, now) {
            continue;
        }
        let (sub_id, phone, code, office) = (row.int(0)?, row.text(1)?, row.text(2)?, row.text(3)?);
        let name = office_name(sql, &office)?;
        let text = sms.compose(
            &sms.templates.late,
            Values {
                code: Some(&code),
                office: Some(&name),
                ..Values::default()
            },
        );
        let new = outbox::enqueue(
            sql,
            NewMessage {
                office: &office,
                dedupe_key: format!("dossier:{code}:late:{sub_id}"),
                trigger: "late",
                phone: &phone,
                text,
                expires_at: subscriptions::kept_until(now, sms.keep_days),
            },
            now,
        )?;
        sql.execute(
            "UPDATE sms_subscriptions SET late_notified = ?2 WHERE id = ?1",
            &params![sub_id, true],
        )?;
        made += usize::from(new);
    }
    Ok(made)
}

/// Forgets what is kept only for a while: ticket phones after their office day, subscriptions
/// and messages after `keep_days`.
pub fn forget_old(
    sql: &mut dyn Sql,
    sms_keep_days: u32,
    now: DateTime<FixedOffset>,
) -> Result<u64, ApiError> {
    let phones = sql.execute(
        "UPDATE tickets SET phone = NULL WHERE phone IS NOT NULL AND office_day < ?1",
        &params![now.date_naive()],
    )?;
    let subs = subscriptions::forget_old(sql, now, sms_keep_days)?;
    let messages = outbox::forget_old(sql, now, sms_keep_days)?;
    Ok(phones + subs + messages)
}
