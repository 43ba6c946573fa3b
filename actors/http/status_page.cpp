#include "actors/http/status_page.hpp"

namespace dtf {

namespace {

constexpr std::string_view page = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dtf run</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1f24; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #d0d7de; padding: .25em .7em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { display: inline-block; padding: .1em .6em; border-radius: 1em; background: #ddf4ff; }
.state.finished { background: #dafbe1; } .state.failed, .state.interrupted { background: #ffebe9; }
#counts td { min-width: 4em; }
.meter { display: inline-block; width: 6em; height: .7em; background: #eaeef2; vertical-align: middle; }
.meter span { display: block; height: 100%; background: #2da44e; }
svg text { font: 11px system-ui, sans-serif; }
.bar.succeeded { fill: #2da44e; } .bar.failed, .bar.timed_out { fill: #cf222e; }
.bar.cancelled { fill: #8c959f; } .bar.running, .bar.assigned { fill: #0969da; }
#problem { color: #cf222e; }
</style>
</head>
<body>
<h1>dtf run <span id="state" class="state">loading</span></h1>
<div id="summary">elapsed <span id="elapsed">0</span> s &middot; queue <span id="queue">0</span> pending
 (<span id="backlog">0</span> not yet with the scheduler) &middot; updated <span id="updated">never</span></div>
<div id="problem"></div>
<h2>Tasks</h2>
<table id="counts"><tr></tr><tr></tr></table>
<h2>Workers</h2>
<table id="workers">
<thead><tr><th>worker</th><th>kind</th><th>slots</th><th>running now</th><th>busy now</th><th>utilization</th><th>attempts</th><th>device</th></tr></thead>
<tbody></tbody>
</table>
<h2>Timeline <small id="timeline-note"></small></h2>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="1000" height="40" role="img" aria-label="attempts per worker over time"></svg>
<h2>Scheduler</h2>
<div id="scheduler">&ndash;</div>
<pre id="js-errors" hidden></pre>
<script>
"use strict";
const errorsBox = document.getElementById("js-errors");
function recordError(text) { errorsBox.hidden = false; errorsBox.textContent += text + "\n"; }
window.onerror = (message, source, line) => { recordError(message + " (line " + line + ")"); };
window.addEventListener("unhandledrejection", e => recordError("unhandled: " + e.reason));
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const headers = token ? { "Authorization": "Bearer " + token } : {};
const svgNS = "http://www.w3.org/2000/svg";
let updates = 0;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function pct(x) { return (100 * x).toFixed(1) + " %"; }
function meter(x) {
  const m = el("span", undefined, "meter"), f = document.createElement("span");
  f.style.width = Math.max(0, Math.min(100, 100 * x)) + "%";
  m.appendChild(f);
  const wrap = el("span");
  wrap.appendChild(m);
  wrap.appendChild(document.createTextNode(" " + pct(x)));
  return wrap;
}

function drawCounts(c) {
  const names = ["pending", "assigned", "running", "succeeded", "failed", "timed_out", "cancelled", "unplaceable", "attempts"];
  const table = document.getElementById("counts");
  const head = table.rows[0], body = table.rows[1];
  head.replaceChildren(...names.map(n => el("th", n)));
  body.replaceChildren(...names.map(n => { const td = el("td", String(c[n]), "num"); td.id = "count-" + n; return td; }));
}

function drawWorkers(workers) {
  const rows = workers.map(w => {
    const tr = el("tr", undefined, "worker-row");
    tr.dataset.worker = w.id;
    tr.appendChild(el("td", w.id + (w.emulated ? " *" : "") + (w.alive ? "" : " (lost)")));
    tr.appendChild(el("td", w.kind));
    tr.appendChild(el("td", String(w.slots), "num"));
    tr.appendChild(el("td", w.running_tasks.length ? w.running_tasks.join(", ") : "idle", "now"));
    const busy = el("td"); busy.appendChild(meter(w.busy_fraction)); tr.appendChild(busy);
    tr.appendChild(el("td", pct(w.utilization), "num"));
    tr.appendChild(el("td", String(w.attempts), "num"));
    const device = [];
    if (w.temperature_c !== undefined) device.push(w.temperature_c.toFixed(0) + " °C");
    if (w.power_w !== undefined) device.push(w.power_w.toFixed(0) + " W");
    if (w.device_utilization !== undefined) device.push(pct(w.device_utilization));
    tr.appendChild(el("td", device.join(" · ") || "–"));
    return tr;
  });
  document.querySelector("#workers tbody").replaceChildren(...rows);
}

function drawTimeline(status) {
  const svg = document.getElementById("timeline");
  const left = 150, width = 1000, laneH = 12, gap = 6, top = 4, axisH = 18;
  const span = Math.max(status.elapsed_s, 1e-3,
    ...status.timeline.attempts.map(a => a.end_s === null ? 0 : a.end_s));
  const scale = (width - left - 10) / span;
  // Each worker's attempts on lanes: an attempt takes the first lane free at its start.
  const byWorker = new Map(status.workers.map(w => [w.id, []]));
  for (const a of status.timeline.attempts)
    if (byWorker.has(a.worker) && a.start_s !== null) byWorker.get(a.worker).push(a);
  const items = [];
  let y = top;
  for (const w of status.workers) {
    const attempts = byWorker.get(w.id).sort((p, q) => p.start_s - q.start_s);
    const laneEnds = [];
    const placed = attempts.map(a => {
      const end = a.end_s === null ? status.elapsed_s : a.end_s;
      let lane = laneEnds.findIndex(e => e <= a.start_s + 1e-9);
      if (lane < 0) { lane = laneEnds.length; laneEnds.push(end); } else laneEnds[lane] = end;
      return [a, end, lane];
    });
    const lanes = Math.max(1, laneEnds.length);
    const label = document.createElementNS(svgNS, "text");
    label.setAttribute("x", 2); label.setAttribute("y", y + Math.min(lanes * laneH, 24) / 2 + 4);
    label.textContent = w.id.length > 22 ? w.id.slice(0, 21) + "…" : w.id;
    items.push(label);
    for (const [a, end, lane] of placed) {
      const r = document.createElementNS(svgNS, "rect");
      r.setAttribute("class", "bar " + a.status);
      r.setAttribute("x", (left + a.start_s * scale).toFixed(1));
      r.setAttribute("y", y + lane * laneH + 1);
      r.setAttribute("width", Math.max(1, (end - a.start_s) * scale).toFixed(1));
      r.setAttribute("height", laneH - 2);
      r.dataset.task = a.task;
      const title = document.createElementNS(svgNS, "title");
      title.textContent = a.task + " #" + a.attempt + " on " + a.worker + ": " + a.status + ", " +
        a.start_s.toFixed(2) + "–" + (a.end_s === null ? "now" : a.end_s.toFixed(2)) + " s";
      r.appendChild(title);
      items.push(r);
    }
    y += lanes * laneH + gap;
  }
  for (let i = 0; i <= 4; ++i) {
    const t = span * i / 4, x = left + t * scale;
    const tick = document.createElementNS(svgNS, "text");
    tick.setAttribute("x", x.toFixed(1)); tick.setAttribute("y", y + 12);
    tick.setAttribute("text-anchor", i === 0 ? "start" : i === 4 ? "end" : "middle");
    tick.textContent = t.toFixed(span < 2 ? 2 : span < 10 ? 1 : 0) + " s";
    items.push(tick);
  }
  svg.setAttribute("height", y + axisH);
  svg.replaceChildren(...items);
  document.getElementById("timeline-note").textContent =
    "(wall seconds since the start; " + status.timeline.attempts.length + " attempts" +
    (status.timeline.dropped ? ", " + status.timeline.dropped + " older ones not shown" : "") + ")";
}

function drawScheduler(status) {
  const box = document.getElementById("scheduler");
  if (!status.scheduler) { box.textContent = "–"; return; }
  const s = status.scheduler, p = status.predictions || {};
  box.textContent = "policy " + s.policy + " · " + s.placements + " placements · " + s.deferrals + " deferrals · " +
    s.backups_started + " backups (" + s.backups_won + " won) · prediction error: median |ln(pred/actual)| " +
    (p.median_abs_log_ratio ?? 0).toFixed(3) + " over " + (p.from_history ?? 0) + " predictions from history, " +
    (p.defaults ?? 0) + " defaults";
}

async function refresh() {
  try {
    const response = await fetch("/status", { headers, cache: "no-store" });
    if (!response.ok) {
      document.getElementById("problem").textContent = "/status answered " + response.status +
        (response.status === 401 ? " (add #token=... to the address)" : "");
      return;
    }
    const status = await response.json();
    const state = document.getElementById("state");
    state.textContent = status.state;
    state.className = "state " + status.state;
    document.getElementById("elapsed").textContent = status.elapsed_s.toFixed(1);
    document.getElementById("queue").textContent = status.queue.pending;
    document.getElementById("backlog").textContent = status.queue.backlog;
    document.getElementById("updated").textContent = new Date().toLocaleTimeString();
    document.getElementById("problem").textContent = "";
    drawCounts(status.counts);
    drawWorkers(status.workers);
    drawTimeline(status);
    drawScheduler(status);
    document.body.dataset.updates = String(++updates);
    document.body.dataset.state = status.state;
  } catch (e) {
    document.getElementById("problem").textContent = "cannot reach dtf: " + e;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)PAGE";

} // namespace

std::string_view status_page_html() { return page; }

} // namespace dtf
