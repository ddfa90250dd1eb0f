// Shared by the pages of motcua-central: texts, building elements, API calls, and the live
// event stream. Plain script, no build step; everything from the server goes in as text
// (textContent), never as markup.
"use strict";

window.MotCua = (function () {
  const texts = JSON.parse(document.getElementById("texts")?.textContent || "{}");

  /** The texts of `key` in the page's languages, with `{name}` filled from `values`. */
  function all(key, values) {
    const list = texts[key] || [key];
    return list.map((t) => t.replace(/\{(\w+)\}/g, (m, name) =>
      values && name in values ? String(values[name]) : m));
  }

  /** The text of `key` in the page's first language. */
  function t(key, values) {
    return all(key, values)[0];
  }

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** `key` in every language of the page: the first as text, the others in `span.alt`. */
  function textNodes(key, values) {
    const [first, ...others] = all(key, values);
    const langs = (document.documentElement.dataset.langs || "").split(",").slice(1);
    return [first, ...others.map((o, i) => el("span", { class: "alt", lang: langs[i] || null }, o))];
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /**
   * Calls the API. Resolves to {status, body} (body: the JSON answer or problem, or null);
   * `status` 0 means the server could not be reached.
   */
  async function api(method, path, token, body) {
    const headers = { Authorization: "Bearer " + token, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method, headers, cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      return { status: 0, body: null };
    }
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { status: response.status, body: json };
  }

  /**
   * Follows `GET /api/v1/queue/events` (Server-Sent Events; EventSource cannot send the
   * token, so fetch reads the stream). Reconnects by itself (1 s, then up to 5 s apart) with
   * Last-Event-ID, and also when nothing, not even the 15 s heartbeat, came for 40 s.
   * handlers: open(), event(type, data, id), lost(), refused(status).
   * Returns {stop()}.
   */
  function follow(token, handlers) {
    let stopped = false;
    let lastId = null;
    let controller = null;
    async function run() {
      let pause = 1000;
      while (!stopped) {
        controller = new AbortController();
        let watchdog = null;
        const kick = () => {
          clearTimeout(watchdog);
          watchdog = setTimeout(() => controller.abort(), 40000);
        };
        let opened = false;
        try {
          const headers = { Authorization: "Bearer " + token, Accept: "text/event-stream" };
          if (lastId !== null) headers["Last-Event-ID"] = lastId;
          kick();
          const response = await fetch("/api/v1/queue/events", {
            headers, cache: "no-store", signal: controller.signal,
          });
          if (response.status === 401 || response.status === 403) {
            clearTimeout(watchdog);
            handlers.refused?.(response.status);
            return;
          }
          if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
          opened = true;
          pause = 1000;
          handlers.open?.();
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          let type = "", data = [], id = null;
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            kick();
            buffer += decoder.decode(value, { stream: true });
            let end;
            while ((end = buffer.indexOf("\n")) >= 0) {
              const line = buffer.slice(0, end).replace(/\r$/, "");
              buffer = buffer.slice(end + 1);
              if (line === "") {
                if (data.length) {
                  if (id !== null) lastId = id;
                  let parsed = null;
                  try { parsed = JSON.parse(data.join("\n")); } catch (e) { parsed = null; }
                  if (parsed !== null) handlers.event?.(type || "message", parsed, id);
                }
                type = ""; data = []; id = null;
                continue;
              }
              if (line.startsWith(":")) continue;
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
              if (field === "event") type = val;
              else if (field === "data") data.push(val);
              else if (field === "id") id = val;
            }
          }
        } catch (e) {
          // Refused connection, reset, or the watchdog: reconnect below.
        } finally {
          clearTimeout(watchdog);
        }
        if (stopped) return;
        handlers.lost?.(opened);
        await sleep(pause + Math.random() * 300);
        pause = Math.min(pause * 2, 5000);
      }
    }
    run();
    return {
      stop() {
        stopped = true;
        controller?.abort();
      },
    };
  }

  return { t, all, el, textNodes, api, follow, sleep };
})();
