//! The services the take-a-number screen offers (the central system's, with their queues, or,
//! while it cannot be asked, the config's own list) and the citizen's selection among them.

use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::language::Language;
use crate::server::model::{Priority, QueueService};
use crate::ticket::ProcedureNote;

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

    /// What the citizen asked for, ready for the desk; the ticket is printed in `language`.
    pub fn order(
        &self,
        priority: Priority,
        phone: Option<String>,
        language: Language,
    ) -> super::TicketOrder {
        super::TicketOrder {
            service_id: self.id.clone(),
            service_name: self.name_vi.clone(),
            service_name_en: self.name_en.clone(),
            language,
            prefix: self.prefix.clone(),
            priority,
            phone,
            procedure: None,
        }
    }

    /// Whether this service is the one for a catalog field by its name: the same words, or
    /// one part of a name that lists several ("Đất đai" → "Đất đai, xây dựng").
    fn named_for(&self, field: &str) -> bool {
        let words = |s: &str| s.nfc().collect::<String>().to_lowercase();
        let field = words(field.trim());
        let name = words(&self.name_vi);
        name.trim() == field
            || name
                .split([',', ';', '/'])
                .flat_map(|part| part.split(" và "))
                .any(|part| part.trim() == field)
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

/// What the take-a-number screen offers and what the citizen chose, without the screen. Each
/// order gets a tag; only the answer to the newest one is still wanted.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The config's services, offered while the central system cannot be asked.
    configured: Vec<Offer>,
    offers: Vec<Offer>,
    live: bool,
    chosen: Option<Offer>,
    priority: Priority,
    tag: u64,
    /// `[queue.field_services]`: a catalog field and the id of the service for it.
    field_services: Vec<(String, String)>,
    /// The procedure the number is for, when the citizen came from its page.
    procedure: Option<ProcedureNote>,
}

impl Selection {
    pub fn new(config: &Config) -> Self {
        let configured = Offer::configured(config);
        Self {
            offers: configured.clone(),
            configured,
            live: false,
            chosen: None,
            priority: Priority::None,
            tag: 0,
            field_services: config.queue.field_services.clone(),
            procedure: None,
        }
    }

    pub fn offers(&self) -> &[Offer] {
        &self.offers
    }

    /// Why no service takes a number now, when none does: `"daily-cap"` when every one has
    /// handed out today's numbers, else `"hours"`. `None` while one is open (or none is offered).
    pub fn all_closed(&self) -> Option<&'static str> {
        if self.offers.is_empty() || self.offers.iter().any(|o| o.open) {
            return None;
        }
        let cap = self.offers.iter().all(|o| o.closed_reason == "daily-cap");
        Some(if cap { "daily-cap" } else { "hours" })
    }

    /// The offers carry the central system's queues.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The central system's services, or `None` when it could not be asked.
    pub fn services_arrived(&mut self, services: Option<Vec<QueueService>>) {
        self.live = services.is_some();
        self.offers = Offer::live_or(services, &self.configured);
    }

    /// A reloaded config's services, offered at once while the central system is away.
    pub fn reconfigure(&mut self, config: &Config) {
        self.configured = Offer::configured(config);
        self.field_services = config.queue.field_services.clone();
        if !self.live {
            self.offers = self.configured.clone();
        }
    }

    /// The citizen taps the offer at `index`: chosen unless it is closed (or gone).
    pub fn choose(&mut self, index: usize) -> Option<&Offer> {
        let offer = self.offers.get(index).filter(|o| o.open)?.clone();
        self.priority = Priority::None;
        self.chosen = Some(offer);
        self.chosen.as_ref()
    }

    /// A number for `procedure`, of catalog field `field`, from its page: the orders carry it
    /// from now on. Returns the offer for the field (`[queue.field_services]`, else the one
    /// named like it), when there is one.
    pub fn for_procedure(&mut self, procedure: ProcedureNote, field: &str) -> Option<usize> {
        self.procedure = Some(procedure);
        let field = field.trim();
        let configured = self.field_services.iter().find(|(f, _)| f.trim() == field);
        match configured {
            Some((_, id)) => self.offers.iter().position(|o| &o.id == id),
            None => self.offers.iter().position(|o| o.named_for(field)),
        }
    }

    /// The procedure the number is for, when the citizen came from its page.
    pub fn procedure(&self) -> Option<&ProcedureNote> {
        self.procedure.as_ref()
    }

    pub fn chosen(&self) -> Option<&Offer> {
        self.chosen.as_ref()
    }

    pub fn set_priority(&mut self, priority: Priority) {
        self.priority = priority;
    }

    pub fn priority(&self) -> Priority {
        self.priority
    }

    /// The order for the chosen service, and the tag its answer will carry.
    pub fn order(
        &mut self,
        phone: Option<String>,
        language: Language,
    ) -> Option<(super::TicketOrder, u64)> {
        let mut order = self.chosen.as_ref()?.order(self.priority, phone, language);
        order.procedure = self.procedure.clone();
        self.tag += 1;
        Some((order, self.tag))
    }

    pub fn is_newest(&self, tag: u64) -> bool {
        tag == self.tag
    }

    /// The citizen left: nothing chosen, and the answer to an order on its way is not shown.
    pub fn clear(&mut self) {
        self.tag += 1;
        self.chosen = None;
        self.priority = Priority::None;
        self.procedure = None;
    }
}

/// The words for a priority ticket in the citizen's language, on screen and on paper.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = include_str!("../../kiosk-config.toml");
        crate::config::parse(text, std::path::Path::new("kiosk-config.toml")).unwrap()
    }

    fn service(id: &str, open: bool) -> QueueService {
        QueueService {
            id: id.into(),
            name_vi: id.into(),
            name_en: id.into(),
            prefix: "HT".into(),
            priority_allowed: true,
            open,
            closed_reason: (!open).then(|| "daily-cap".into()),
            waiting: 3,
            now_serving: None,
            estimated_wait_min: 9,
        }
    }

    #[test]
    fn the_configs_services_stand_in_while_the_server_is_away() {
        let config = config();
        let mut s = Selection::new(&config);
        assert!(!s.is_live());
        assert_eq!(s.offers().len(), config.queue.services.len());
        s.services_arrived(Some(vec![service("live", true)]));
        assert!(s.is_live());
        assert_eq!(s.offers()[0].waiting, Some(3));
        s.services_arrived(None);
        assert!(!s.is_live());
        assert_eq!(s.offers(), Offer::configured(&config));
    }

    #[test]
    fn only_open_services_are_chosen_and_only_the_newest_order_counts() {
        let mut s = Selection::new(&config());
        s.services_arrived(Some(vec![service("closed", false), service("open", true)]));
        assert!(s.choose(0).is_none());
        assert_eq!(s.choose(1).map(|o| o.id.as_str()), Some("open"));
        s.set_priority(Priority::Elderly);
        let (order, first) = s.order(None, Language::Vi).unwrap();
        assert_eq!(
            (order.service_id.as_str(), order.priority),
            ("open", Priority::Elderly)
        );
        let (_, second) = s.order(None, Language::Vi).unwrap();
        assert!(!s.is_newest(first) && s.is_newest(second));
        s.clear();
        assert!(!s.is_newest(second));
        assert!(s.order(None, Language::Vi).is_none(), "nothing chosen");
    }

    #[test]
    fn a_procedures_field_finds_its_service_by_name_or_by_the_config() {
        let mut config = config();
        config
            .queue
            .field_services
            .push(("Hoạt động xây dựng".into(), "dat-dai".into()));
        let mut s = Selection::new(&config);
        let note = |code: &str| ProcedureNote {
            code: code.into(),
            ..ProcedureNote::default()
        };
        let id = |s: &Selection, i: Option<usize>| i.map(|i| s.offers()[i].id.clone());
        let found = s.for_procedure(note("1"), "Hộ tịch");
        assert_eq!(id(&s, found).as_deref(), Some("ho-tich"));
        // One part of a name that lists several, in any case, composed or not.
        let found = s.for_procedure(note("2"), "đất đai");
        assert_eq!(id(&s, found).as_deref(), Some("dat-dai"));
        let found = s.for_procedure(note("3"), "Hoạt động xây dựng");
        assert_eq!(id(&s, found).as_deref(), Some("dat-dai"));
        // No service for it: the citizen picks one, and the order still carries the procedure.
        assert_eq!(s.for_procedure(note("4"), "Thủy lợi"), None);
        s.choose(1);
        let (order, _) = s.order(None, Language::Vi).unwrap();
        assert_eq!(order.procedure.map(|p| p.code).as_deref(), Some("4"));
        // The next citizen's number is for no procedure.
        s.clear();
        s.choose(0);
        assert!(s.order(None, Language::Vi).unwrap().0.procedure.is_none());
    }
}
