//! A real Chromium for the page tests: Debian's `chromium` driven by `chromium-driver` over
//! WebDriver (fantoccini), both started here on 127.0.0.1. One browser serves every test of
//! the binary, one test at a time (`browser()` holds a lock); each test opens the windows it
//! needs. The driver runs in its own process group, killed with the browser when the test
//! binary exits (and the driver also when the binary dies).

use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    runtime: tokio::runtime::Runtime,
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

/// The driver's process group, killed at exit.
static GROUP: AtomicI32 = AtomicI32::new(0);

extern "C" fn kill_group() {
    let group = GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // SAFETY: a signal to a process group this binary started.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start() -> Browser {
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "the page tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    );
    let port = free_port();
    let mut command = Command::new(CHROMEDRIVER);
    command
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    // SAFETY: prctl only, between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    // The parent-death signal follows the spawning thread, not the process: spawn from a
    // thread that lives as long as the binary, not from the test that came first.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(command.spawn());
        loop {
            std::thread::park();
        }
    });
    let driver = rx
        .recv()
        .expect("the spawning thread answers")
        .expect("start chromedriver");
    GROUP.store(driver.id() as i32, Ordering::SeqCst);
    // SAFETY: registers a plain function to run at exit.
    unsafe {
        libc::atexit(kill_group);
    }
    let profile = tempfile::tempdir().expect("profile folder");
    let mut args = vec![
        "--headless=new".to_string(),
        "--disable-gpu".into(),
        format!("--user-data-dir={}", profile.path().display()),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--hide-scrollbars".into(),
        "--mute-audio".into(),
        // The display runs in a window behind the counter page's: keep it running at speed.
        "--disable-background-timer-throttling".into(),
        "--disable-renderer-backgrounding".into(),
        "--disable-backgrounding-occluded-windows".into(),
        "--window-size=1920,1080".into(),
    ];
    // SAFETY: reads the effective user id.
    if unsafe { libc::geteuid() } == 0 {
        args.push("--no-sandbox".into());
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let url = format!("http://127.0.0.1:{port}");
    let client = runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut builder =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            if let Value::Object(caps) = capabilities.clone() {
                builder.capabilities(caps);
            }
            match builder.connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    Browser {
        runtime,
        client,
        _driver: driver,
        _profile: profile,
    }
}

/// The shared browser, for one test at a time.
pub fn browser() -> MutexGuard<'static, Browser> {
    static SHARED: OnceLock<Mutex<Browser>> = OnceLock::new();
    SHARED
        .get_or_init(|| Mutex::new(start()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Milliseconds since the epoch, as the page's `Date.now()` counts them.
pub fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

impl Browser {
    /// Runs a WebDriver future to its end.
    pub fn run<T, E: std::fmt::Debug>(&self, f: impl Future<Output = Result<T, E>>) -> T {
        self.runtime
            .block_on(f)
            .unwrap_or_else(|e| panic!("WebDriver: {e:?}"))
    }

    /// Closes every window but one, then opens more until there are `count`, each sized
    /// `width`×`height` (the page's viewport); returns them.
    pub fn windows(&self, count: usize, width: u32, height: u32) -> Vec<WindowHandle> {
        let c = &self.client;
        let mut handles = self.run(c.windows());
        while handles.len() > 1 {
            let last = handles.pop().expect("a window");
            self.run(c.switch_to_window(last));
            self.run(c.close_window());
        }
        self.run(c.switch_to_window(handles[0].clone()));
        while handles.len() < count {
            let w = self.run(c.new_window(false));
            handles.push(w.handle);
        }
        for h in &handles {
            self.run(c.switch_to_window(h.clone()));
            self.run(c.goto("about:blank"));
            self.viewport(width, height);
        }
        self.run(c.switch_to_window(handles[0].clone()));
        handles
    }

    pub fn switch(&self, window: &WindowHandle) {
        self.run(self.client.switch_to_window(window.clone()));
    }

    /// Sizes the current window so that its viewport is `width`×`height`.
    pub fn viewport(&self, width: u32, height: u32) {
        self.run(self.client.set_window_size(width, height));
        let inner = self.js("return [window.innerWidth, window.innerHeight]", vec![]);
        let (w, h) = (
            inner[0].as_u64().unwrap_or(0) as i64,
            inner[1].as_u64().unwrap_or(0) as i64,
        );
        if (w, h) != (i64::from(width), i64::from(height)) {
            let grow_w = (i64::from(width) - w).max(0) as u32;
            let grow_h = (i64::from(height) - h).max(0) as u32;
            self.run(self.client.set_window_size(width + grow_w, height + grow_h));
        }
    }

    pub fn goto(&self, url: &str) {
        self.run(self.client.goto(url));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.run(self.client.execute(script, args))
    }

    /// Polls `script` until it returns something truthy; that value, or a panic naming `what`.
    pub fn wait_for(&self, what: &str, timeout: Duration, script: &str) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.js(script, vec![]);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                panic!("waited {timeout:?} for {what}: {script}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The text of the element with `id` (as shown: `innerText`).
    pub fn text(&self, id: &str) -> String {
        self.js(
            "const e = document.getElementById(arguments[0]); return e ? e.innerText : null",
            vec![json!(id)],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub fn click(&self, css: &str) {
        let e = self.run(self.client.find(Locator::Css(css)));
        self.run(e.click());
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.run(self.client.find(Locator::Css(css)));
        self.run(e.clear());
        self.run(e.send_keys(text));
    }

    /// Presses a key (e.g. `fantoccini::key::Key::F2`) on the focused element.
    pub fn press(&self, key: fantoccini::key::Key) {
        let e = self.run(self.client.active_element());
        self.run(e.send_keys(&char::from(key).to_string()));
    }

    /// Types `text` into the focused element.
    pub fn type_active(&self, text: &str) {
        let e = self.run(self.client.active_element());
        self.run(e.send_keys(text));
    }

    /// The current window as a PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        self.run(self.client.screenshot())
    }
}
