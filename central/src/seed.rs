//! First-start data: the real procedure catalog, the kiosk's four queue services, opening
//! hours, and sample dossiers in every status dated relative to the seed day.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime};

use crate::catalog;
use crate::clock::office_offset;
use crate::dossiers::{self, Dossier, Step};
use crate::offices::{self, DEFAULT_OFFICE, NewOffice};
use crate::problem::ApiError;
use crate::queue::Service;
use crate::store::{Dialect, Sql, params};

/// The agency identifier of the sample office (QCVN 102:2016 form; H15 is a placeholder
/// for Đà Nẵng, whose level-1 code is not verified).
pub const AGENCY_CODE: &str = "000.00.20.H15";

/// The 326 real procedures of `shared/data/procedures.json`, verbatim. The file lives in the
/// kiosk's `assets/catalog/` (its bundled offline catalog) so the workspace carries one copy.
pub fn seed_procedures_json() -> &'static str {
    include_str!("../../assets/catalog/procedures.json")
}

/// A queue service as seeded (matches the kiosk's shipped `kiosk-config.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedService {
    pub id: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub prefix: &'static str,
    pub priority_allowed: bool,
    pub daily_cap: u32,
}

pub const DAILY_CAP: u32 = 500;

pub fn queue_services() -> Vec<SeedService> {
    let s = |id, name_vi, name_en, prefix, priority_allowed| SeedService {
        id,
        name_vi,
        name_en,
        prefix,
        priority_allowed,
        daily_cap: DAILY_CAP,
    };
    vec![
        s("ho-tich", "Hộ tịch", "Civil status", "HT", true),
        s(
            "chung-thuc",
            "Chứng thực",
            "Certification of copies",
            "CT",
            true,
        ),
        s(
            "dat-dai",
            "Đất đai, xây dựng",
            "Land and construction",
            "DD",
            true,
        ),
        s("tra-ket-qua", "Trả kết quả", "Collect results", "TK", false),
    ]
}

/// Opening hours: (ISO weekday 1 = Monday, opens, closes), Monday to Saturday.
pub fn opening_hours() -> Vec<(u32, &'static str, &'static str)> {
    (1..=6)
        .flat_map(|d| [(d, "07:30", "11:30"), (d, "13:30", "17:00")])
        .collect()
}

/// A sample dossier and the timeliness it shows on the day it was seeded. Reads as its
/// [`Dossier`] (`sample.code`, `sample.status`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedDossier {
    pub dossier: Dossier,
    pub timeliness_on_seed_day: &'static str,
}

impl std::ops::Deref for SeedDossier {
    type Target = Dossier;

    fn deref(&self) -> &Dossier {
        &self.dossier
    }
}

fn procedure_names() -> &'static HashMap<String, String> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let list: Vec<serde_json::Value> =
            serde_json::from_str(seed_procedures_json()).unwrap_or_default();
        list.iter()
            .filter_map(|p| {
                Some((
                    p.get("code")?.as_str()?.to_string(),
                    p.get("name")?.as_str()?.to_string(),
                ))
            })
            .collect()
    })
}

const ONE_STOP: &str = "Bộ phận Một cửa";
const PORTAL: &str = "Cổng Dịch vụ công quốc gia";
const CIVIL: &str = "Công chức Tư pháp - Hộ tịch";
const LAND: &str = "Công chức Địa chính - Xây dựng";
const LAND_OFFICE: &str = "Chi nhánh Văn phòng đăng ký đất đai";
const TAX: &str = "Thuế cơ sở";
const BUSINESS: &str = "Phòng Kinh tế";

/// The sample dossiers for a seed day `today`: every status 1–10, status 4 on time, due
/// today and late, statuses 9 and 10 early, on time and late.
pub fn sample_dossiers(today: NaiveDate) -> Vec<SeedDossier> {
    // `at(n, "HH:MM")`: n days before today (negative: after), office time.
    let at = |days_before: i64, hm: &str| -> DateTime<FixedOffset> {
        let day = today - Duration::days(days_before);
        let time = NaiveTime::parse_from_str(hm, "%H:%M").unwrap_or_default();
        day.and_time(time)
            .and_local_timezone(office_offset())
            .single()
            .unwrap_or_else(|| day.and_time(time).and_utc().fixed_offset())
    };
    let step = |days_before: i64, hm: &str, unit: &str, action: &str| Step {
        at: at(days_before, hm),
        unit: unit.to_string(),
        action: action.to_string(),
    };
    #[allow(clippy::too_many_arguments)]
    let dossier = |seq: u32,
                   procedure_code: &str,
                   applicant: &str,
                   status: u8,
                   received: DateTime<FixedOffset>,
                   due: DateTime<FixedOffset>,
                   returned: Option<DateTime<FixedOffset>>,
                   steps: Vec<Step>,
                   timeliness: &'static str| SeedDossier {
        dossier: Dossier {
            code: format!("{AGENCY_CODE}-{}-{seq:04}", received.format("%y%m%d")),
            procedure_code: procedure_code.to_string(),
            procedure_name: procedure_names()
                .get(procedure_code)
                .cloned()
                .unwrap_or_else(|| procedure_code.to_string()),
            applicant_name: applicant.to_string(),
            status,
            received_at: received,
            due_at: due,
            returned_at: returned,
            steps,
        },
        timeliness_on_seed_day: timeliness,
    };
    let received = |n, hm: &str| step(n, hm, ONE_STOP, "Tiếp nhận hồ sơ");
    vec![
        dossier(
            3,
            "1.001612",
            "Phạm Thị Thu Hà",
            1,
            at(0, "07:42"),
            at(-3, "17:00"),
            None,
            vec![step(0, "07:42", PORTAL, "Nộp hồ sơ trực tuyến")],
            "on-time",
        ),
        dossier(
            11,
            "2.001019",
            "Lê Hoàng Minh",
            2,
            at(0, "08:15"),
            at(-1, "17:00"),
            None,
            vec![received(0, "08:15")],
            "on-time",
        ),
        dossier(
            21,
            "2.000720",
            "Đặng Quốc Bảo",
            3,
            at(1, "09:05"),
            at(-2, "17:00"),
            None,
            vec![
                step(1, "09:05", PORTAL, "Nộp hồ sơ trực tuyến"),
                step(
                    1,
                    "14:20",
                    ONE_STOP,
                    "Từ chối tiếp nhận hồ sơ: thành phần hồ sơ chưa đúng quy định",
                ),
            ],
            "on-time",
        ),
        dossier(
            7,
            "2.000806",
            "Nguyễn Văn An",
            4,
            at(2, "08:30"),
            at(-3, "17:00"),
            None,
            vec![
                received(2, "08:30"),
                step(2, "10:00", CIVIL, "Chuyển xử lý"),
            ],
            "on-time",
        ),
        dossier(
            15,
            "1.001695",
            "Trần Thị Bích Ngọc",
            4,
            at(9, "09:12"),
            at(0, "17:00"),
            None,
            vec![
                received(9, "09:12"),
                step(9, "10:30", CIVIL, "Chuyển xử lý"),
                step(5, "15:00", CIVIL, "Xác minh, thẩm tra hồ sơ"),
            ],
            "due-today",
        ),
        dossier(
            32,
            "1.013225",
            "Hoàng Văn Dũng",
            4,
            at(20, "10:20"),
            at(2, "17:00"),
            None,
            vec![
                received(20, "10:20"),
                step(19, "08:00", LAND, "Chuyển xử lý"),
                step(12, "14:00", LAND, "Kiểm tra hiện trạng công trình"),
            ],
            "late",
        ),
        dossier(
            44,
            "1.013978",
            "Võ Thị Mai",
            5,
            at(10, "14:00"),
            at(-17, "17:00"),
            None,
            vec![
                received(10, "14:00"),
                step(9, "09:00", LAND_OFFICE, "Chuyển xử lý"),
                step(
                    3,
                    "10:45",
                    ONE_STOP,
                    "Yêu cầu bổ sung giấy tờ: bản sao giấy tờ về quyền sử dụng đất",
                ),
            ],
            "on-time",
        ),
        dossier(
            9,
            "1.013949",
            "Bùi Thị Lan",
            6,
            at(12, "08:45"),
            at(-3, "17:00"),
            None,
            vec![
                received(12, "08:45"),
                step(11, "09:30", LAND, "Chuyển xử lý"),
                step(6, "10:00", TAX, "Xác định nghĩa vụ tài chính"),
                step(1, "15:30", ONE_STOP, "Yêu cầu thực hiện nghĩa vụ tài chính"),
            ],
            "on-time",
        ),
        dossier(
            27,
            "1.001570",
            "Đỗ Minh Tuấn",
            7,
            at(3, "15:10"),
            at(-1, "17:00"),
            None,
            vec![
                received(3, "15:10"),
                step(3, "16:00", BUSINESS, "Chuyển xử lý"),
                step(1, "09:30", ONE_STOP, "Công dân yêu cầu rút hồ sơ"),
            ],
            "on-time",
        ),
        dossier(
            2,
            "1.013967",
            "Ngô Văn Hải",
            8,
            at(30, "09:00"),
            at(-30, "17:00"),
            None,
            vec![
                received(30, "09:00"),
                step(29, "08:30", LAND, "Chuyển xử lý"),
                step(
                    4,
                    "16:00",
                    LAND,
                    "Dừng xử lý: các bên đã khởi kiện tại Tòa án",
                ),
            ],
            "on-time",
        ),
        dossier(
            18,
            "2.000635",
            "Huỳnh Thị Kim Oanh",
            9,
            at(2, "10:30"),
            at(-1, "17:00"),
            None,
            vec![
                received(2, "10:30"),
                step(2, "11:00", CIVIL, "Chuyển xử lý"),
                step(
                    1,
                    "15:00",
                    CIVIL,
                    "Hoàn thành xử lý, chuyển Bộ phận Một cửa chờ trả kết quả",
                ),
            ],
            "early",
        ),
        dossier(
            5,
            "2.000779",
            "Dương Thị Hồng",
            9,
            at(14, "08:20"),
            at(0, "17:00"),
            None,
            vec![
                received(14, "08:20"),
                step(14, "09:00", CIVIL, "Chuyển xử lý"),
                step(
                    0,
                    "07:50",
                    CIVIL,
                    "Hoàn thành xử lý, chuyển Bộ phận Một cửa chờ trả kết quả",
                ),
            ],
            "on-time",
        ),
        dossier(
            23,
            "1.012796",
            "Lý Gia Huy",
            9,
            at(15, "09:40"),
            at(3, "17:00"),
            None,
            vec![
                received(15, "09:40"),
                step(14, "08:15", LAND_OFFICE, "Chuyển xử lý"),
                step(
                    1,
                    "16:10",
                    LAND_OFFICE,
                    "Hoàn thành xử lý, chuyển Bộ phận Một cửa chờ trả kết quả",
                ),
            ],
            "late",
        ),
        dossier(
            1,
            "2.000815",
            "Phan Thanh Tùng",
            10,
            at(3, "08:05"),
            at(2, "17:00"),
            Some(at(3, "14:00")),
            vec![
                received(3, "08:05"),
                step(3, "10:30", CIVIL, "Hoàn thành xử lý"),
                step(3, "14:00", ONE_STOP, "Trả kết quả"),
            ],
            "early",
        ),
        dossier(
            14,
            "1.001766",
            "Vũ Thị Thảo",
            10,
            at(5, "09:00"),
            at(2, "17:00"),
            Some(at(2, "10:15")),
            vec![
                received(5, "09:00"),
                step(5, "09:45", CIVIL, "Chuyển xử lý"),
                step(2, "09:00", CIVIL, "Hoàn thành xử lý"),
                step(2, "10:15", ONE_STOP, "Trả kết quả"),
            ],
            "on-time",
        ),
        dossier(
            36,
            "1.013228",
            "Trương Công Định",
            10,
            at(16, "10:00"),
            at(9, "17:00"),
            Some(at(6, "08:40")),
            vec![
                received(16, "10:00"),
                step(15, "08:30", LAND, "Chuyển xử lý"),
                step(7, "15:00", LAND, "Hoàn thành xử lý"),
                step(6, "08:40", ONE_STOP, "Trả kết quả"),
            ],
            "late",
        ),
    ]
}

/// Any number held by every instance: the advisory lock around seeding.
const SEED_LOCK: i64 = 0x7365_6564;

/// The default office as seeded: the kiosk's four services, Monday-to-Saturday hours.
pub fn default_office(name: &str) -> NewOffice {
    NewOffice {
        id: DEFAULT_OFFICE.to_string(),
        name: name.to_string(),
        address: None,
        services: queue_services()
            .into_iter()
            .map(|s| Service {
                id: s.id.into(),
                name_vi: s.name_vi.into(),
                name_en: s.name_en.into(),
                prefix: s.prefix.into(),
                priority_allowed: s.priority_allowed,
                daily_cap: s.daily_cap,
            })
            .collect(),
        hours: opening_hours()
            .into_iter()
            .map(|(d, o, c)| (d, o.to_string(), c.to_string()))
            .collect(),
    }
}

/// Seeds an empty database (all or nothing: a half-seeded one is seeded again on the next
/// start); returns the day the database was first seeded.
pub(crate) fn seed_if_empty(
    sql: &mut dyn Sql,
    office_name: &str,
    now: DateTime<FixedOffset>,
) -> Result<NaiveDate, ApiError> {
    if sql.dialect() == Dialect::Postgres {
        // Instances starting together: one seeds, the others wait here and find it seeded.
        sql.execute("SELECT pg_advisory_xact_lock(?1)", &params![SEED_LOCK])?;
    }
    if let Some(row) = sql.query_opt("SELECT value FROM meta WHERE key = 'seeded_on'", &[])? {
        let day = row.text(0)?;
        return NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|e| ApiError::Internal(format!("meta.seeded_on {day:?}: {e}")));
    }
    let today = now.date_naive();
    let procedures: serde_json::Value = serde_json::from_str(seed_procedures_json())?;
    let procedures = catalog::parse_procedures(&procedures)?;
    let dossiers: Vec<Dossier> = sample_dossiers(today)
        .into_iter()
        .map(|s| s.dossier)
        .collect();
    let office = default_office(office_name);
    // A SQLite database made by an earlier release has the office row (migration 4).
    if offices::exists(sql, DEFAULT_OFFICE)? {
        offices::add_services_and_hours(sql, &office)?;
    } else {
        offices::create(sql, &office, now)?;
    }
    catalog::import(sql, &procedures, now)?;
    dossiers::upsert(sql, DEFAULT_OFFICE, &dossiers, now)?;
    sql.execute(
        "INSERT INTO meta (key, value) VALUES ('seeded_on', ?1)",
        &params![today.format("%Y-%m-%d").to_string()],
    )?;
    Ok(today)
}
