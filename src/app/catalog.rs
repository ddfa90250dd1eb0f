//! The procedure catalog on screen: search as the citizen types, browse by field, one
//! procedure's details and its printed checklist. The catalog worker
//! ([`crate::catalog::Worker`]) owns the database; this only sends it what the citizen did and
//! shows what comes back.

use std::rc::Rc;

use motcua_catalog::vocabulary as english;
use slint::ComponentHandle;

use super::Shared;
use super::events::{weak_call, weak_call_with};
use super::{model, number, print_state};
use crate::catalog::page::{Entry, Fee, Heading, ProcedurePage};
use crate::catalog::{CatalogReport, ProcedureDetail, SearchHit, Worker};
use crate::config::Config;
use crate::ui::{
    AppWindow, CatalogAdapter, DocumentGroupItem, DocumentItem, FieldItem, MethodItem, Page,
    PrintState, ProcedureItem,
};

pub struct CatalogScreen {
    window: slint::Weak<AppWindow>,
    shared: Rc<Shared>,
}

/// Wires the catalog pages to the catalog worker.
pub(super) fn connect(window: &AppWindow, shared: &Rc<Shared>) -> Rc<CatalogScreen> {
    let session = &shared.session;
    let screen = Rc::new(CatalogScreen {
        window: window.as_weak(),
        shared: shared.clone(),
    });
    let adapter = window.global::<CatalogAdapter>();
    adapter.on_search(weak_call(&screen, |s| {
        s.adapter(|a| {
            // A glossary look-up of a few words: quick enough for the UI thread.
            let english = motcua_catalog::english::suggestions(&a.get_query());
            a.set_english_words(model(english.into_iter().map(Into::into)));
            s.worker().search(&a.get_query(), &a.get_field());
        });
    }));
    adapter.on_open(weak_call_with(&screen, |s, code: slint::SharedString| {
        s.worker().open(&code);
        s.adapter(|a| a.set_print_state(PrintState::Idle));
    }));
    adapter.on_print_checklist(weak_call(&screen, |s| {
        s.adapter(|a| {
            a.set_print_state(PrintState::Printing);
            let language = s.shared.session.language();
            s.worker().print_checklist(&a.get_detail().code, language);
        });
    }));
    session.on_clear(weak_call(&screen, |s| s.clear()));
    session.on_reconfigure(weak_call_with(&screen, |s, config: Rc<Config>| {
        s.worker().set_office(&config.kiosk.office_name);
    }));
    screen
}

impl CatalogScreen {
    adapter_accessor!(CatalogAdapter);

    fn worker(&self) -> &Worker {
        &self.shared.workers.catalog
    }

    /// Clears what a citizen searched and saw.
    fn clear(&self) {
        self.adapter(|a| a.invoke_reset());
    }

    /// A report of the worker, on the UI thread.
    pub(super) fn apply(&self, report: CatalogReport) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        show(&window, report);
    }
}

fn show(window: &AppWindow, report: CatalogReport) {
    let a = window.global::<CatalogAdapter>();
    match report {
        CatalogReport::Unavailable => a.set_available(false),
        CatalogReport::Ready { meta, fields } => {
            a.set_available(true);
            a.set_version(meta.version.to_string().into());
            let synced_at = meta.synced_at.as_deref().map(crate::clock::short_time);
            a.set_synced_at(synced_at.unwrap_or_default().into());
            a.set_fields(model(fields.into_iter().map(|f| FieldItem {
                name_en: english::field(&f.name).unwrap_or_default().into(),
                name: f.name.into(),
                count: number(f.count),
            })));
        }
        CatalogReport::Results(hits) => a.set_results(model(hits.into_iter().map(item))),
        CatalogReport::Detail(d) => {
            show_detail(&a, &d);
            window
                .global::<crate::ui::KioskState>()
                .invoke_navigate(Page::Procedure);
        }
        CatalogReport::Printed(ok) => a.set_print_state(print_state(ok)),
    }
}

/// One procedure as [`ProcedurePage`] edits it.
fn show_detail(a: &CatalogAdapter<'_>, d: &ProcedureDetail) {
    let page = ProcedurePage::new(d);
    let text = |t: Option<String>| slint::SharedString::from(t.unwrap_or_default());
    let en = |t: &Option<String>| text(t.as_deref().and_then(english::phrase));
    a.set_detail(item(d.summary()));
    a.set_detail_level(text(d.level.clone()));
    a.set_detail_time_en(en(&page.processing_time));
    a.set_detail_time(text(page.processing_time));
    a.set_detail_fee_en(text(english::phrase(page.fee.single())));
    a.set_detail_fee(page.fee.single().into());
    a.set_detail_fee_by_method(page.fee == Fee::ByMethod);
    a.set_detail_fee_note(text(page.fee_note));
    a.set_detail_agency(text(page.agency));
    a.set_detail_result(text(page.result));
    a.set_detail_methods(model(page.methods.into_iter().map(|m| MethodItem {
        method_en: text(english::phrase(&m.method)),
        method: m.method.into(),
        time_en: en(&m.time),
        time: text(m.time),
        fee_en: en(&m.fee),
        fee: text(m.fee),
        note: text(m.note),
    })));
    a.set_detail_methods_note(text(page.methods_note));
    a.set_detail_documents(model(page.groups.into_iter().map(|g| {
        DocumentGroupItem {
            group: g.heading.name().into(),
            group_en: english::heading(g.heading.name())
                .unwrap_or_default()
                .into(),
            other: g.heading == Heading::Other,
            documents: model(g.entries.into_iter().map(|e| match e {
                Entry::Document {
                    number: n,
                    name,
                    copies,
                } => DocumentItem {
                    number: number(n),
                    name: name.into(),
                    copies: text(copies),
                    note: false,
                },
                Entry::Note(note) => DocumentItem {
                    number: 0,
                    name: note.into(),
                    copies: "".into(),
                    note: true,
                },
            })),
            notes: model(g.notes.into_iter().map(Into::into)),
        }
    })));
    a.set_detail_notes(model(page.notes.into_iter().map(Into::into)));
    a.set_detail_legal(model(page.legal_basis.into_iter().map(Into::into)));
}

fn item(hit: SearchHit) -> ProcedureItem {
    ProcedureItem {
        field_en: english::field(&hit.field).unwrap_or_default().into(),
        code: hit.code.into(),
        name: hit.name.into(),
        field: hit.field.into(),
    }
}
