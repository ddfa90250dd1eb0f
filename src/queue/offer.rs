//! The services the take-a-number screen offers: the central system's, with their queues, or,
//! while it cannot be asked, the config's own list.

use crate::config::Config;
use crate::language::Language;
use crate::server::model::{Priority, QueueService};

#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    pub priority_allowed: bool,
    /// `None` while the central system cannot be asked.
    pub waiting: Option<u32>,
    pub wait_min: Option<u32>,
    pub open: bool,
    /// Why a closed service is closed: `closed-hours` or `daily-cap`.
    pub closed_reason: String,
    pub now_serving: String,
}

impl Offer {
    /// `[[queue.services]]`: offered while the central system cannot be asked.
    pub fn configured(config: &Config) -> Vec<Offer> {
        config
            .queue
            .services
            .iter()
            .map(|s| Offer {
                id: s.id.clone(),
                name_vi: s.name_vi.clone(),
                name_en: s.name_en.clone(),
                prefix: s.prefix.clone(),
                priority_allowed: s.priority_allowed,
                waiting: None,
                wait_min: None,
                open: true,
                closed_reason: String::new(),
                now_serving: String::new(),
            })
            .collect()
    }

    /// What the central system answered, or `configured` when it did not (or offers nothing).
    pub fn live_or(services: Option<Vec<QueueService>>, configured: &[Offer]) -> Vec<Offer> {
        match services {
            Some(list) if !list.is_empty() => list.into_iter().map(Offer::from).collect(),
            _ => configured.to_vec(),
        }
    }

    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Vi => &self.name_vi,
            Language::En => &self.name_en,
        }
    }

    /// What the citizen asked for, ready for the desk. Tickets are printed in Vietnamese, the
    /// office's language.
    pub fn order(&self, priority: Priority, phone: Option<String>) -> super::TicketOrder {
        super::TicketOrder {
            service_id: self.id.clone(),
            service_name: self.name_vi.clone(),
            prefix: self.prefix.clone(),
            priority,
            phone,
        }
    }
}

impl From<QueueService> for Offer {
    fn from(s: QueueService) -> Self {
        Offer {
            id: s.id,
            name_vi: s.name_vi,
            name_en: s.name_en,
            prefix: s.prefix,
            priority_allowed: s.priority_allowed,
            waiting: Some(s.waiting),
            wait_min: Some(s.estimated_wait_min),
            open: s.open,
            closed_reason: s.closed_reason.unwrap_or_default(),
            now_serving: s.now_serving.unwrap_or_default(),
        }
    }
}

/// The words for a priority ticket: printed in Vietnamese, shown in the citizen's language.
pub fn priority_label(p: Priority, lang: Language) -> Option<&'static str> {
    match (lang, p) {
        (_, Priority::None) => None,
        (Language::Vi, Priority::Elderly) => Some("Người cao tuổi"),
        (Language::Vi, Priority::Pregnant) => Some("Phụ nữ mang thai"),
        (Language::Vi, Priority::Disabled) => Some("Người khuyết tật"),
        (Language::Vi, Priority::Child) => Some("Người đi cùng trẻ nhỏ"),
        (Language::En, Priority::Elderly) => Some("Older person"),
        (Language::En, Priority::Pregnant) => Some("Pregnant woman"),
        (Language::En, Priority::Disabled) => Some("Person with a disability"),
        (Language::En, Priority::Child) => Some("With a small child"),
    }
}
