//! The procedure catalog on screen: search as the citizen types, browse by field, one
//! procedure's details and its printed checklist. The catalog worker
//! ([`crate::catalog::Worker`]) owns the database; this only sends it what the citizen did and
//! shows what comes back.

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc};

use super::Shared;
use super::events::{weak_call, weak_call_with};
use super::{model, number, print_state};
use crate::catalog::{CatalogReport, SearchHit, Worker};
use crate::config::Config;
use crate::ui::{
    AppWindow, CatalogAdapter, DocumentGroupItem, DocumentItem, FieldItem, LegalItem, MethodItem,
    Page, PrintState, ProcedureItem,
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
            s.worker().print_checklist(&a.get_detail().code);
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
        self.adapter(|a| {
            a.set_query("".into());
            a.set_field("".into());
            a.set_results(ModelRc::default());
            a.set_english_words(ModelRc::default());
            a.set_print_state(PrintState::Idle);
        });
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
                name: f.name.into(),
                count: number(f.count),
            })));
        }
        CatalogReport::Results(hits) => a.set_results(model(hits.into_iter().map(item))),
        CatalogReport::Detail(d) => {
            let d = *d;
            a.set_detail(ProcedureItem {
                code: d.code.into(),
                name: d.name.into(),
                field: d.field.into(),
            });
            a.set_detail_level(d.level.unwrap_or_default().into());
            a.set_detail_time(d.processing_time.unwrap_or_default().into());
            a.set_detail_fee(d.fee.unwrap_or_default().into());
            a.set_detail_agency(d.agency.unwrap_or_default().into());
            a.set_detail_result(d.result.unwrap_or_default().into());
            a.set_detail_methods(model(d.methods.into_iter().map(|m| MethodItem {
                method: m.method.into(),
                time: m.time.unwrap_or_default().into(),
                fee: m.fee.unwrap_or_default().into(),
            })));
            a.set_detail_documents(model(d.documents.into_iter().map(|g| DocumentGroupItem {
                group: g.group.into(),
                documents: model(g.documents.into_iter().map(|doc| DocumentItem {
                    name: doc.name.into(),
                    copies: doc.copies.unwrap_or_default().into(),
                })),
            })));
            a.set_detail_legal(model(d.legal_basis.into_iter().map(|l| LegalItem {
                code: l.code.unwrap_or_default().into(),
                title: l.title.into(),
            })));
            window
                .global::<crate::ui::KioskState>()
                .invoke_navigate(Page::Procedure);
        }
        CatalogReport::Printed(ok) => a.set_print_state(print_state(ok)),
    }
}

fn item(hit: SearchHit) -> ProcedureItem {
    ProcedureItem {
        code: hit.code.into(),
        name: hit.name.into(),
        field: hit.field.into(),
    }
}
