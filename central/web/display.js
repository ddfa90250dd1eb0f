// The lobby display: the newest call large, the recent calls, the office time, the notices
// line; each new call flashes and is announced (a chime and the voice, one WAV the server puts
// together). It follows the live events; it never shows a call as current while it is
// disconnected, nor one called more than an hour ago.
"use strict";

(function () {
  const { all, el, textNodes, api, follow, sleep } = window.MotCua;
  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || "";
  const langs = document.documentElement.dataset.langs || "vi";

  /** A call older than this is history, not the current call. */
  const CURRENT_FOR_MS = 60 * 60 * 1000;
  /** A call learnt late (after a reconnection) is still announced when this recent. */
  const ANNOUNCE_WITHIN_MS = 2 * 60 * 1000;
  const OFFICE_OFFSET_MS = 7 * 3600 * 1000;

  let calls = [];          // newest first: {ticket_id, number, counter, service_name_vi, …, called_at, recall}
  let skew = 0;            // server time − this machine's time, ms
  let connected = false;
  let live = false;        // the current connection's board has come: later events are news
  let shownKey = null;     // the call on screen, to flash only a new one
  let soundOn = false;
  const announced = new Set();  // `called` events announced, by event id
  const queue = [];
  let playing = false;

  const serverNow = () => Date.now() + skew;
  const keyOf = (c) => c.ticket_id + "@" + c.called_at;
  const time = (c) => Date.parse(c.called_at);

  function learnTime(at) {
    const t = Date.parse(at);
    if (!isNaN(t)) skew = t - Date.now();
  }

  // --- the clock (office time, UTC+07:00, whatever the TV's time zone) ---------------------
  function tick() {
    const d = new Date(serverNow() + OFFICE_OFFSET_MS);
    const two = (n) => String(n).padStart(2, "0");
    $("time").textContent = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
    const day = all("weekdays").map((w) => w.split(",")[d.getUTCDay()]).join(" · ");
    $("date").textContent = `${day}, ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
    render();
  }

  // --- drawing ------------------------------------------------------------------------------
  function counterText(c) {
    return textNodes("counter").map((n, i) => {
      if (i === 0) return [n + " ", el("b", {}, c.counter)];
      n.append(" " + c.counter);
      return n;
    }).flat();
  }

  /** Shrinks the big number until it fits its panel (long offline numbers, portrait TVs). */
  function fit() {
    const n = $("current-number");
    n.style.fontSize = "";
    const room = $("current").clientWidth * 0.96;
    let size = parseFloat(getComputedStyle(n).fontSize);
    while (n.scrollWidth > room && size > 20) {
      size *= 0.92;
      n.style.fontSize = size + "px";
    }
  }

  function render() {
    const current = calls[0];
    const fresh = current && serverNow() - time(current) < CURRENT_FOR_MS;
    body.dataset.link = connected ? "up" : (body.dataset.link === "connecting" ? "connecting" : "lost");
    body.dataset.current = current && fresh && connected ? "call" : "none";
    const key = body.dataset.current === "call" ? keyOf(current) : null;
    if (key !== shownKey) {
      if (key) {
        $("current-number").textContent = current.number;
        $("current-counter").replaceChildren(el("span", { class: "arrow" }, "→"), ...counterText(current));
        const names = langs.split(",").map((l) => (l === "en" ? current.service_name_en : current.service_name_vi));
        $("current-service").textContent = names.join(" · ");
        fit();
      } else {
        $("current-number").textContent = "";
      }
      shownKey = key;
    }
    const rest = calls.slice(key ? 1 : 0, key ? 7 : 6);
    // The list names the counter in the first language only: the big call shows both.
    const items = rest.map((c) => el("li", { class: c.recall ? "recall" : null },
      el("span", { class: "n" }, c.number), el("span", { class: "c" }, all("counter")[0] + " ", el("b", {}, c.counter))));
    const list = $("recent-list");
    const signature = rest.map(keyOf).join("|");
    if (list.dataset.signature !== signature) {
      list.replaceChildren(...items);
      list.dataset.signature = signature;
      trimList();
    }
  }

  /** No half-shown line at the foot of the recent calls: what does not fit is left out. */
  function trimList() {
    const list = $("recent-list");
    const bottom = list.parentElement.getBoundingClientRect().bottom;
    while (list.lastElementChild && list.lastElementChild.getBoundingClientRect().bottom > bottom + 1) {
      list.lastElementChild.remove();
    }
  }

  function flash() {
    const panel = $("current");
    panel.classList.remove("flash");
    void panel.offsetWidth; // restart the animation
    panel.classList.add("flash");
  }

  /** Adds calls (from the list or an event), newest first, one entry per ticket. */
  function merge(incoming) {
    const byTicket = new Map();
    for (const c of [...incoming, ...calls]) {
      const had = byTicket.get(c.ticket_id);
      if (!had || time(c) > time(had)) byTicket.set(c.ticket_id, c);
    }
    calls = [...byTicket.values()].sort((a, b) => time(b) - time(a)).slice(0, 12);
  }

  // --- sound --------------------------------------------------------------------------------
  /** Announces a call once per event (a recall in the same second is a new event). */
  function announce(c, id) {
    if (announced.has(id)) return;
    announced.add(id);
    body.dataset.announcements = String(Number(body.dataset.announcements || 0) + 1);
    if (!soundOn) return;
    if (queue.length > 4) queue.shift(); // a burst of calls: the newest matter
    queue.push(`/audio/call.wav?number=${encodeURIComponent(c.number)}&counter=${encodeURIComponent(c.counter)}&lang=${encodeURIComponent(langs)}`);
    play();
  }

  async function play() {
    if (playing) return;
    playing = true;
    while (queue.length) {
      const audio = new Audio(queue.shift());
      try {
        await audio.play();
        body.dataset.played = String(Number(body.dataset.played || 0) + 1);
        await new Promise((done) => {
          audio.onended = done;
          audio.onerror = done;
          setTimeout(done, 20000);
        });
      } catch (e) {
        // Refused (no click yet) or broken: show the button again.
        setSound(false);
        queue.length = 0;
      }
      await sleep(400);
    }
    playing = false;
  }

  function setSound(on) {
    soundOn = on;
    body.dataset.sound = on ? "on" : "off";
    layoutNotice();
  }

  /** A notice wider than its line scrolls by, slowly. */
  function layoutNotice() {
    const notice = $("notice");
    const text = $("notice-text").textContent;
    notice.hidden = !text.trim();
    notice.classList.remove("long");
    const overflow = notice.scrollWidth - notice.clientWidth;
    if (!notice.hidden && overflow > 0) {
      notice.classList.add("long");
      notice.style.setProperty("--ticker-end", -overflow + "px");
      // About 80 pixels a second, so it can be read while it moves.
      notice.style.setProperty("--ticker-s", Math.max(8, overflow / 80 + 4) + "s");
    }
  }

  /** Browsers refuse sound before a first click unless told otherwise: a silent try finds out. */
  async function probeSound() {
    const probe = new Audio("/audio/chime.wav");
    probe.volume = 0;
    try {
      await probe.play();
      probe.pause();
      setSound(true);
    } catch (e) {
      setSound(false);
    }
  }

  $("sound-on").addEventListener("click", () => {
    setSound(true);
    const chime = new Audio("/audio/chime.wav");
    chime.play().catch(() => setSound(false));
  });

  // --- data ---------------------------------------------------------------------------------
  async function loadCalls() {
    const r = await api("GET", "/queue/calls?limit=7", token);
    if (r.status === 200) {
      learnTime(r.body.generated_at);
      merge(r.body.calls || []);
      // What the list brings was announced before, or is old: it is not announced.
      render();
    }
    return r.status;
  }

  function onEvent(type, data, id) {
    if (type === "waiting" && id === null) {
      // The board each connection starts with: the server's time now.
      learnTime(data.at);
      live = true;
      loadCalls();
      return;
    }
    if (live && data.at) learnTime(data.at);
    if (type === "called") {
      const call = Object.assign({}, data, { called_at: data.called_at || data.at });
      merge([call]);
      render();
      if (calls[0] && calls[0].ticket_id === call.ticket_id && serverNow() - time(call) < ANNOUNCE_WITHIN_MS) {
        flash();
        announce(call, id);
      }
    } else if (type === "reload") {
      loadCalls();
    }
  }

  function refused() {
    connected = false;
    body.dataset.link = "lost";
    $("lost").textContent = all("refused").join(" · ");
    render();
    // The token may come back (a configuration fixed and the server restarted).
    setTimeout(() => location.reload(), 60000);
  }

  function start() {
    $("lost").textContent = all("lost").join(" · ");
    $("current-empty").textContent = all("none").join(" · ");
    layoutNotice();
    // A TV turned or resized: the big number and the notice fit again.
    window.addEventListener("resize", () => {
      fit();
      layoutNotice();
      $("recent-list").dataset.signature = "";
      render();
    });
    tick();
    setInterval(tick, 1000);
    // A safety net besides the events: the list and the time once a minute.
    setInterval(() => { if (connected) loadCalls(); }, 60000);
    probeSound();
    follow(token, {
      open() { connected = true; live = false; render(); },
      lost() { connected = false; live = false; body.dataset.link = "lost"; render(); },
      refused,
      event: onEvent,
    });
  }

  start();
})();
