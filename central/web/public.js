// The public pages' script: keeps the board and a followed ticket live (Server-Sent Events
// from this server) and shows search results as the citizen types. Every page works without
// it. Text from the server goes in as text (textContent), never as markup.
"use strict";

(function () {
  const texts = JSON.parse(document.getElementById("texts")?.textContent || "{}");
  const t = (key) => (texts[key] || [key])[0];
  const page = document.body.dataset.page;
  const lang = document.documentElement.lang;

  /** Follows `url`'s `update` events; `live` shows while the connection is down. */
  function follow(url, apply) {
    const live = document.getElementById("live");
    const source = new EventSource(url);
    source.addEventListener("update", (e) => {
      if (live) live.hidden = true;
      document.body.dataset.link = "up";
      const picture = JSON.parse(e.data);
      if (picture) apply(picture);
    });
    source.onerror = () => {
      if (live) live.hidden = false;
      document.body.dataset.link = "down";
    };
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  if (page === "home") {
    follow("/board/events?lang=" + lang, (board) => {
      const list = document.getElementById("board");
      list.replaceChildren(...board.services.map((s) => {
        const li = el("li");
        li.dataset.service = s.id;
        li.append(el("span", "service", s.name), el("span", "serving", s.serving),
          el("span", "waiting", s.waiting));
        return li;
      }));
    });
  }

  if (page === "follow") {
    follow(location.pathname + "/events?lang=" + lang, (p) => {
      document.getElementById("ticket").dataset.status = p.status;
      document.getElementById("number").textContent = p.number;
      document.getElementById("service").textContent = p.service;
      document.getElementById("state").textContent = p.state;
      if (p.status === "called" && navigator.vibrate) navigator.vibrate([300, 100, 300]);
    });
  }

  if (page === "procedures") {
    const input = document.getElementById("q");
    const count = document.getElementById("count");
    const results = document.getElementById("results");
    let timer = 0;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        const mine = ++asked;
        count.textContent = q ? t("searching") : "";
        try {
          const r = await fetch("/procedures.json?lang=" + lang + "&q=" + encodeURIComponent(q));
          const found = await r.json();
          if (mine !== asked) return;
          count.textContent = found.count;
          results.replaceChildren(...found.results.map((h) => {
            const li = el("li");
            const a = el("a", null, h.name);
            a.href = h.href;
            li.append(a, el("span", "meta", h.field ? h.code + " · " + h.field : h.code));
            return li;
          }));
          history.replaceState(null, "", q ? "/procedures?q=" + encodeURIComponent(q) : "/procedures");
        } catch (e) {
          count.textContent = t("lost");
        }
      }, 120);
    });
  }
})();
