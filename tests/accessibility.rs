//! Every touch target on every page is labelled for assistive technology, and what a state means
//! is never told by colour alone.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use slint::ComponentHandle;

use crate::snapshots::{REFERENCE_SCREENS, config_text};
use crate::support;
use crate::support::ui::{Drawing, UiKiosk, kiosk_drawn};

fn rect(e: &ElementHandle) -> (f32, f32, f32, f32) {
    let p = e.absolute_position();
    let s = e.size();
    (p.x, p.y, p.x + s.width, p.y + s.height)
}

fn contains(outer: (f32, f32, f32, f32), inner: (f32, f32, f32, f32)) -> bool {
    outer.0 <= inner.0 + 0.5
        && outer.1 <= inner.1 + 0.5
        && outer.2 + 0.5 >= inner.2
        && outer.3 + 0.5 >= inner.3
}

/// Touch areas on screen that no labelled, actionable element covers.
fn unlabelled_touch_targets(k: &UiKiosk) -> Vec<String> {
    let window = k.window().window().size();
    let all: Vec<ElementHandle> = ElementQuery::from_root(k.window()).find_all();
    let labelled: Vec<(f32, f32, f32, f32)> = all
        .iter()
        .filter(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::Button | AccessibleRole::Checkbox | AccessibleRole::ListItem)
            ) && e.accessible_label().is_some_and(|l| !l.trim().is_empty())
        })
        .map(rect)
        .collect();
    all.iter()
        .filter(|e| e.type_name().as_deref() == Some("TouchArea"))
        .filter(|e| {
            // The window-wide area under every page only counts activity.
            let s = e.size();
            !(s.width >= window.width as f32 - 1.0 && s.height >= window.height as f32 - 1.0)
        })
        .filter(|e| e.size().width > 0.0 && e.size().height > 0.0)
        // A list's scroll bar: the list is swiped, and each of its rows is labelled.
        .filter(|e| !e.id().is_some_and(|id| id.starts_with("ScrollBar::")))
        .filter(|e| !labelled.iter().any(|l| contains(*l, rect(e))))
        .map(|e| format!("{:?} at {:?}", e.id(), rect(e)))
        .collect()
}

#[test]
fn every_touch_target_on_every_page_has_a_label() {
    let mut missing = Vec::new();
    for (w, h) in [(1920, 1080), (1080, 1920)] {
        for screen in REFERENCE_SCREENS {
            let dir = tempfile::tempdir().unwrap();
            let config = support::parse(&config_text(dir.path())).unwrap_or_else(|e| panic!("{e}"));
            let k = kiosk_drawn(&config, w, h, Drawing::Mock);
            (screen.reach)(&k);
            for target in unlabelled_touch_targets(&k) {
                missing.push(format!("{} {w}x{h}: {target}", screen.name));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "touch targets without a label:\n{}",
        missing.join("\n")
    );
}
