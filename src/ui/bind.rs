//! Callbacks for Slint objects. The window owns its callbacks and the screens own the window's
//! timers: a strong reference in a callback would keep them alive for good.

use std::cell::RefCell;
use std::rc::Rc;

/// A callback that reaches `target` only while it lives.
pub fn weak_call<T: 'static>(
    target: &Rc<T>,
    call: impl Fn(&Rc<T>) + 'static,
) -> impl Fn() + 'static {
    let weak = Rc::downgrade(target);
    move || {
        if let Some(target) = weak.upgrade() {
            call(&target);
        }
    }
}

/// [`weak_call`] for callbacks with an argument.
pub fn weak_call_with<T: 'static, A>(
    target: &Rc<T>,
    call: impl Fn(&Rc<T>, A) + 'static,
) -> impl Fn(A) + 'static {
    let weak = Rc::downgrade(target);
    move |arg| {
        if let Some(target) = weak.upgrade() {
            call(&target, arg);
        }
    }
}

/// [`weak_call`] for callbacks with two arguments.
pub fn weak_call_with2<T: 'static, A, B>(
    target: &Rc<T>,
    call: impl Fn(&Rc<T>, A, B) + 'static,
) -> impl Fn(A, B) + 'static {
    let weak = Rc::downgrade(target);
    move |a, b| {
        if let Some(target) = weak.upgrade() {
            call(&target, a, b);
        }
    }
}

type Listener<A> = Box<dyn Fn(A)>;

/// Listeners of one kind of event, called in the order they were added.
pub struct Listeners<A> {
    listeners: RefCell<Vec<Listener<A>>>,
}

impl<A> Default for Listeners<A> {
    fn default() -> Self {
        Self {
            listeners: RefCell::default(),
        }
    }
}

impl<A: Clone> Listeners<A> {
    pub fn add(&self, listener: impl Fn(A) + 'static) {
        self.listeners.borrow_mut().push(Box::new(listener));
    }

    /// Calls every listener with `event`. A listener must not add listeners.
    pub fn notify(&self, event: A) {
        for listener in self.listeners.borrow().iter() {
            listener(event.clone());
        }
    }
}
