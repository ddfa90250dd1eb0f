// The counter page: sign in with the counter's token, tick the services this counter serves,
// then call, call again, mark absent, transfer and finish tickets, with F1 to F5. The token
// lives in sessionStorage only (gone when the tab closes); the ticked services are remembered
// per browser and counter in localStorage.
"use strict";

(function () {
  const { t, el, api, follow } = window.MotCua;
  const $ = (id) => document.getElementById(id);
  const TOKEN = "motcua.counter.token";
  const NAME = "motcua.counter.name";

  let token = null;
  let named = "";          // the counter name typed at sign-in (the shared token needs it)
  let me = null;           // {counter, office_id, office_name}
  let services = [];       // [{id, name_vi, name_en, prefix, waiting, now_serving, estimated_wait_min}]
  let ticket = null;       // the ticket in hand, or null
  let busy = false;
  let stream = null;
  let retry = null;
  const lang = document.documentElement.lang;

  const serviceName = (s) => (lang === "en" ? s.name_en : s.name_vi) || s.id;

  function say(text, kind) {
    const m = $("message");
    m.textContent = text || "";
    m.dataset.kind = kind || "info";
  }

  function sayAtSignIn(text) {
    $("sign-in-message").textContent = text || "";
  }

  function setOnline(online) {
    const link = $("link");
    link.dataset.online = online ? "yes" : "no";
    link.textContent = t(online ? "online" : "offline");
  }

  // --- the services this counter serves, per browser ---------------------------------------
  const chosenKey = () => `motcua.counter.services.${me.office_id}.${me.counter}`;

  function chosen() {
    try {
      const saved = JSON.parse(localStorage.getItem(chosenKey()) || "null");
      if (Array.isArray(saved)) return saved.filter((id) => services.some((s) => s.id === id));
    } catch (e) { /* a damaged entry: all services */ }
    return services.map((s) => s.id);
  }

  function choose(id, on) {
    const now = new Set(chosen());
    if (on) now.add(id); else now.delete(id);
    localStorage.setItem(chosenKey(), JSON.stringify(services.map((s) => s.id).filter((i) => now.has(i))));
    renderBoard();
  }

  // --- drawing ------------------------------------------------------------------------------
  function renderBoard() {
    const picked = new Set(chosen());
    const rows = services.map((s) => {
      const box = el("input", { type: "checkbox", id: "svc-" + s.id, checked: picked.has(s.id) });
      box.addEventListener("change", () => choose(s.id, box.checked));
      return el("tr", { class: picked.has(s.id) ? "on" : "off", dataset: { service: s.id } },
        el("td", {}, el("label", { for: "svc-" + s.id }, box, el("span", { class: "prefix" }, s.prefix), serviceName(s))),
        el("td", { class: "num waiting" }, String(s.waiting ?? 0)),
        el("td", { class: "serving" }, s.now_serving || "—"),
        el("td", { class: "num" }, s.waiting ? t("minutes", { n: s.estimated_wait_min ?? 0 }) : "—"));
    });
    $("board").replaceChildren(...rows);
  }

  function renderTicket() {
    const n = $("ticket-number");
    if (ticket) {
      n.textContent = ticket.number;
      n.classList.remove("none");
      $("ticket-service").textContent = lang === "en" ? ticket.service_name_en : ticket.service_name_vi;
      const at = new Date(ticket.called_at);
      const time = isNaN(at) ? "" : ticket.called_at.slice(11, 16);
      const detail = [];
      if (ticket.priority && ticket.priority !== "none") {
        detail.push(el("span", { class: "priority" }, t("priority-" + ticket.priority)), " · ");
      }
      detail.push(t("called-at", { time }));
      $("ticket-detail").replaceChildren(...detail);
      renderProcedure(ticket.procedure);
    } else {
      n.textContent = t("nobody");
      n.classList.add("none");
      $("ticket-service").textContent = "";
      $("ticket-detail").textContent = "";
      renderProcedure(null);
    }
    for (const id of ["recall", "absent", "transfer", "done"]) $(id).disabled = busy || !ticket;
    $("next").disabled = busy;
  }

  /** The procedure the citizen took the number for: its code, and its name when the office's
   * catalog knows it (the name is Vietnamese on either page). */
  function renderProcedure(procedure) {
    const line = $("ticket-procedure");
    if (!procedure || !procedure.code) {
      line.hidden = true;
      line.replaceChildren();
      line.removeAttribute("title");
      return;
    }
    const parts = [el("span", { class: "label" }, t("procedure")), " ", el("span", { class: "code" }, procedure.code)];
    if (procedure.name) parts.push(" — ", el("span", { class: "name", lang: "vi" }, procedure.name));
    line.replaceChildren(...parts);
    // The whole line on hover when a long name is cut.
    line.title = line.textContent;
    line.hidden = false;
  }

  function signedIn(answer) {
    me = { counter: answer.counter, office_id: answer.office_id, office_name: answer.office_name || answer.office_id };
    services = answer.services || [];
    ticket = answer.ticket || null;
    document.body.dataset.state = "signed-in";
    $("office").textContent = me.office_name;
    $("counter-name").textContent = t("counter", { counter: me.counter });
    renderBoard();
    renderTicket();
  }

  function signOut(why) {
    stream?.stop();
    stream = null;
    clearTimeout(retry);
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(NAME);
    token = null;
    me = null;
    ticket = null;
    document.body.dataset.state = "signed-out";
    $("link").textContent = "";
    $("office").textContent = "";
    $("counter-name").textContent = "";
    sayAtSignIn(why || "");
    $("token").value = "";
    $("token").focus();
  }

  // --- talking to the server ----------------------------------------------------------------
  const counterQuery = () => (named ? "?counter=" + encodeURIComponent(named) : "");
  const body = (extra) => Object.assign(named ? { counter: named } : {}, extra || {});

  /** Reads the counter's state; on a network failure keeps trying every 3 s. */
  async function refresh() {
    clearTimeout(retry);
    const r = await api("GET", "/queue/counter" + counterQuery(), token);
    if (r.status === 200) {
      signedIn(r.body);
      return true;
    }
    if (r.status === 401) signOut(t("token-refused"));
    else if (r.status === 403) signOut(t("forbidden"));
    else {
      if (me) setOnline(false);
      const m = t("unreachable");
      if (me) say(m, "error"); else sayAtSignIn(m);
      retry = setTimeout(refresh, 3000);
    }
    return false;
  }

  function startStream() {
    stream?.stop();
    stream = follow(token, {
      open() {
        setOnline(true);
        if ($("message").textContent === t("unreachable")) say("");
      },
      lost() { setOnline(false); },
      refused() { signOut(t("token-refused")); },
      event(type, data, id) {
        if (type === "waiting") {
          for (const b of data.services || []) {
            const s = services.find((x) => x.id === b.id);
            if (s) Object.assign(s, { waiting: b.waiting, now_serving: b.now_serving, estimated_wait_min: b.estimated_wait_min });
          }
          if (me) renderBoard();
          // The first board of a (re)connection: the ticket in hand may have changed meanwhile.
          if (id === null && me) refresh();
        } else if (type === "reload") {
          refresh();
        } else if (me && data.counter === me.counter && ["called", "done", "no-show", "transferred"].includes(type)) {
          // Another tab or a button box of this counter acted: follow it.
          refresh();
        }
      },
    });
  }

  async function signIn(tokenText, name) {
    token = tokenText;
    named = name;
    $("sign-in-button").disabled = true;
    sayAtSignIn("");
    const ok = await refresh();
    $("sign-in-button").disabled = false;
    if (ok) {
      sessionStorage.setItem(TOKEN, token);
      sessionStorage.setItem(NAME, named);
      say("");
      startStream();
      $("next").focus();
    }
  }

  /** One action: disables the buttons while it runs; every answer becomes a message. */
  async function act(path, extra, onDone) {
    if (busy || !me) return;
    busy = true;
    renderTicket();
    const r = await api("POST", path, token, body(extra));
    busy = false;
    const code = r.body && r.body.code;
    if (r.status === 200) {
      setOnline(true);
      onDone(r.body);
    } else if (r.status === 0) {
      setOnline(false);
      say(t("unreachable"), "error");
      retry = setTimeout(refresh, 3000);
    } else if (r.status === 401) {
      signOut(t("token-refused"));
    } else if (r.status === 403) {
      say(t("forbidden"), "error");
    } else if (code === "queue-empty") {
      say(t("queue-empty"), "info");
    } else if (code === "ticket-state" || code === "not-found") {
      say(t("changed"), "info");
      await refresh();
    } else {
      say(t("error", { detail: (r.body && (r.body.detail || r.body.title)) || r.status }), "error");
    }
    renderTicket();
  }

  const actions = {
    next() {
      const picked = chosen();
      if (!picked.length) return say(t("no-services"), "info");
      act("/queue/call-next", { services: picked }, (a) => {
        ticket = a;
        say(t("called", { number: a.number }), "ok");
      });
    },
    recall() {
      if (!ticket) return say(t("no-ticket"), "info");
      act(`/queue/tickets/${ticket.ticket_id}/recall`, {}, (a) => {
        ticket = a;
        say(t("recalled", { number: a.number }), "ok");
      });
    },
    absent() {
      if (!ticket) return say(t("no-ticket"), "info");
      act(`/queue/tickets/${ticket.ticket_id}/no-show`, {}, (a) => {
        ticket = null;
        say(t("absent", { number: a.number }), "ok");
      });
    },
    done() {
      if (!ticket) return say(t("no-ticket"), "info");
      act(`/queue/tickets/${ticket.ticket_id}/done`, {}, (a) => {
        ticket = null;
        say(t("done", { number: a.number }), "ok");
      });
    },
    transfer() {
      if (!ticket) return say(t("no-ticket"), "info");
      const others = services.filter((s) => s.id !== ticket.service_id);
      const buttons = others.map((s, i) => {
        const b = el("button", { type: "button", dataset: { service: s.id } },
          el("kbd", {}, String(i + 1)), s.prefix + " · " + serviceName(s));
        b.addEventListener("click", () => {
          $("transfer-dialog").close();
          const held = ticket;
          act(`/queue/tickets/${held.ticket_id}/transfer`, { service_id: s.id }, (a) => {
            ticket = null;
            say(t("transferred", { number: a.number, service: serviceName(s) }), "ok");
          });
        });
        return b;
      });
      $("transfer-choices").replaceChildren(...buttons);
      $("transfer-dialog").showModal();
      buttons[0]?.focus();
    },
  };

  // --- wiring -------------------------------------------------------------------------------
  $("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const tokenText = $("token").value.trim();
    if (!tokenText) return sayAtSignIn(t("token-missing"));
    signIn(tokenText, $("name").value.trim());
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  for (const [id, run] of Object.entries({ next: actions.next, recall: actions.recall, absent: actions.absent, transfer: actions.transfer, done: actions.done })) {
    $(id).addEventListener("click", run);
  }

  const keys = { F1: "next", F2: "recall", F3: "absent", F4: "transfer", F5: "done" };
  document.addEventListener("keydown", (e) => {
    const dialog = $("transfer-dialog");
    if (dialog.open) {
      const n = Number(e.key);
      const choices = dialog.querySelectorAll(".choices button");
      if (n >= 1 && n <= choices.length) {
        e.preventDefault();
        choices[n - 1].click();
      }
      return;
    }
    const action = keys[e.key];
    // F1 to F5 are the browser's help, find and reload otherwise: taken over once signed in.
    if (action && me) {
      e.preventDefault();
      actions[action]();
    }
  });
  // Chrome opens its help on F1 unless this is refused too.
  window.addEventListener("help", (e) => { if (me) e.preventDefault(); });

  const saved = sessionStorage.getItem(TOKEN);
  if (saved) signIn(saved, sessionStorage.getItem(NAME) || "");
  else $("token").focus();
  renderTicket();
})();
