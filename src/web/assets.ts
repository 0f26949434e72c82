/**
 * The page's style and script, shipped inside the package as strings (no build step, no file to find at run time)
 * and sent inline under the response's nonce.
 */

export const STYLE = `
:root {
  --bg: #f5f6f8; --card: #fff; --text: #1d2127; --muted: #687080; --line: #e3e6eb; --soft: #f0f2f5;
  --accent: #e8890c; --accent-soft: #fff3e0; --link: #1f5fbf;
  --open: #c2410c; --open-bg: #ffedd5; --resolved: #15803d; --resolved-bg: #dcfce7; --ignored: #525866; --ignored-bg: #eceef1;
  --regression: #7e22ce; --regression-bg: #f3e8ff;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
h1, h2, h3 { margin: 0; font-weight: 600; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin-bottom: 8px; }
.top { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #16181d; color: #e8eaed; }
.brand { display: flex; align-items: center; gap: 8px; color: #fff; font-weight: 650; font-size: 16px; }
.brand:hover { text-decoration: none; }
.brand svg { display: block; }
.top .path { color: #9aa1ad; font-family: var(--mono); font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.live { margin-left: auto; display: flex; align-items: center; gap: 6px; font-size: 12px; color: #9aa1ad; white-space: nowrap; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #6b7280; }
.live.on::before { background: #22c55e; box-shadow: 0 0 0 3px rgba(34,197,94,.2); }
main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 40px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
.tabs { display: flex; gap: 4px; margin-bottom: 12px; flex-wrap: wrap; }
.tabs a { padding: 6px 12px; border-radius: 6px; color: var(--muted); font-weight: 500; }
.tabs a:hover { background: var(--soft); text-decoration: none; }
.tabs a.current { background: var(--card); color: var(--text); box-shadow: 0 0 0 1px var(--line); }
.tabs .n { margin-left: 6px; color: var(--muted); font-variant-numeric: tabular-nums; }
.filters { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 14px; }
.filters input, .filters select {
  font: inherit; padding: 6px 9px; border: 1px solid var(--line); border-radius: 6px; background: var(--card);
  color: var(--text);
}
.filters input[type=search] { flex: 1 1 260px; min-width: 200px; }
.filters input:focus, .filters select:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
button, .button {
  font: inherit; font-weight: 550; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--card); color: var(--text); cursor: pointer;
}
button:hover { background: var(--soft); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { background: #d27a08; }
table { width: 100%; border-collapse: collapse; }
th {
  text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); padding: 8px 12px;
  border-bottom: 1px solid var(--line); white-space: nowrap;
}
td { padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
.issues tbody tr:hover { background: #fafbfc; }
.issues td.main { width: 100%; max-width: 0; }
.issues .title { font-weight: 600; color: var(--text); display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.issues .sub { color: var(--muted); font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.issues .sub code { font-size: 11.5px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.when { white-space: nowrap; color: var(--muted); font-size: 13px; }
.chart { display: block; }
.chart .bar { fill: var(--accent); }
.chart .bar.empty { fill: #d5d9df; }
.axis { display: flex; justify-content: space-between; font-size: 11.5px; color: var(--muted); margin: 4px 0 14px; }
.axis b { color: var(--text); font-weight: 600; }
.chart.wide { width: 100%; height: auto; }
.spark { display: flex; gap: 10px; align-items: flex-end; }
.spark small { display: block; color: var(--muted); font-size: 10.5px; line-height: 1; margin-top: 3px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.open { color: var(--open); background: var(--open-bg); }
.badge.resolved { color: var(--resolved); background: var(--resolved-bg); }
.badge.ignored { color: var(--ignored); background: var(--ignored-bg); }
.badge.regression { color: var(--regression); background: var(--regression-bg); }
.badge.level { color: var(--muted); background: var(--soft); font-weight: 500; }
.fresh { animation: fresh 2.5s ease-out; }
@keyframes fresh { from { background: var(--accent-soft); } to { background: transparent; } }
.empty-state { padding: 48px 24px; text-align: center; color: var(--muted); }
.empty-state code { background: var(--soft); padding: 2px 6px; border-radius: 4px; color: var(--text); }
.pager {
  display: flex; justify-content: space-between; align-items: center; padding: 10px 12px; color: var(--muted);
  font-size: 13px; border-top: 1px solid var(--line);
}
.back { display: inline-block; margin-bottom: 10px; color: var(--muted); }
.issue-head { padding: 18px 20px; margin-bottom: 16px; }
.issue-head h1 { font-size: 20px; line-height: 1.3; word-break: break-word; margin: 6px 0 4px; }
.issue-head .culprit { color: var(--muted); }
.issue-head .meta { display: flex; gap: 18px; flex-wrap: wrap; margin-top: 12px; color: var(--muted); font-size: 13px; }
.issue-head .meta b { color: var(--text); font-weight: 600; }
.actions { display: flex; gap: 8px; margin-top: 14px; }
.actions form { margin: 0; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 16px; align-items: start; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
.section { padding: 16px 18px; margin-bottom: 16px; }
.exception .type { font-weight: 650; font-size: 15px; }
.exception .message { margin: 4px 0 12px; font-size: 13.5px; background: var(--soft); padding: 10px 12px; border-radius: 6px; }
.frames { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.frames li { padding: 7px 12px; border-bottom: 1px solid var(--line); display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.frames li:last-child { border-bottom: 0; }
.frames li.app { border-left: 3px solid var(--accent); background: #fffaf2; }
.frames li.lib { color: var(--muted); }
.frames .fn { font-weight: 600; font-family: var(--mono); font-size: 12.5px; }
.frames .loc { font-family: var(--mono); font-size: 12.5px; color: var(--muted); word-break: break-all; }
.frames .ts { font-size: 10.5px; font-weight: 700; color: #2f6fcf; background: #e6effc; border-radius: 3px; padding: 0 4px; }
details { margin-top: 10px; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
details pre { margin-top: 8px; padding: 10px 12px; background: var(--soft); border-radius: 6px; max-height: 420px; overflow: auto; }
.causes { margin: 10px 0 0; padding: 0; list-style: none; }
.causes li { padding: 4px 0; color: var(--muted); }
.causes b { color: var(--text); }
.kv td { padding: 5px 8px; font-size: 13px; }
.kv td:first-child { color: var(--muted); width: 34%; white-space: nowrap; font-family: var(--mono); font-size: 12px; }
.kv td { word-break: break-word; }
.kv pre { font-size: 12px; }
.context h3 { font-size: 13px; margin: 12px 0 4px; font-family: var(--mono); }
.crumbs td { font-size: 12.5px; padding: 5px 8px; }
.crumbs .cat { font-family: var(--mono); font-size: 12px; color: var(--muted); white-space: nowrap; }
.crumbs tr.error td { background: #fff1f1; }
.values { list-style: none; margin: 0; padding: 0; }
.values li {
  display: flex; justify-content: space-between; gap: 8px; padding: 4px 0; font-size: 13px;
  border-bottom: 1px dashed var(--line);
}
.values li:last-child { border-bottom: 0; }
.values .v { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.values .v small { color: var(--muted); font-family: var(--mono); }
.muted { color: var(--muted); }
.feedback blockquote {
  margin: 0 0 10px; padding: 8px 12px; border-left: 3px solid var(--accent); background: var(--soft);
  border-radius: 0 6px 6px 0;
}
.feedback blockquote footer { color: var(--muted); font-size: 12px; margin-top: 4px; }
.events td { font-size: 12.5px; padding: 6px 8px; }
.events tr.current td { background: var(--accent-soft); }
.key { font-family: var(--mono); font-size: 12px; color: var(--muted); word-break: break-all; }
`;

/**
 * Live updates: the page listens to `/live` (server-sent events, polled from the store on the server) and, when
 * events arrive that concern it, fetches the part that changes (`#live-region`, asked for with a header) and swaps it
 * in. The new part is parsed as an inert document (its scripts never run) and was escaped on the server like the
 * rest of the page.
 */
export const SCRIPT = `
(() => {
  const stateElement = document.getElementById('lantern-state');
  const status = document.getElementById('live-status');
  if (!stateElement || !status || typeof EventSource !== 'function') return;
  const state = JSON.parse(stateElement.textContent || '{}');
  let busy = false;
  let again = false;
  const fresh = new Set();
  const source = new EventSource('/live?after=' + encodeURIComponent(String(state.seq)));
  source.addEventListener('open', () => { status.textContent = 'live'; status.classList.add('on'); });
  source.addEventListener('error', () => { status.textContent = 'reconnecting'; status.classList.remove('on'); });
  // Closed before the page goes, so the stream ends cleanly rather than cut off mid-response.
  addEventListener('pagehide', () => source.close());
  source.addEventListener('events', (message) => {
    const update = JSON.parse(message.data);
    if (typeof state.issue === 'number' && !update.issues.includes(state.issue)) return;
    for (const id of update.issues) fresh.add(Number(id));
    refresh();
  });
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', headers: { 'x-lantern-region': '1' } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live-region');
      const current = document.getElementById('live-region');
      if (!next || !current) return;
      current.replaceWith(document.adoptNode(next));
      for (const id of fresh) document.querySelector('[data-issue="' + id + '"]')?.classList.add('fresh');
      fresh.clear();
      document.dispatchEvent(new CustomEvent('lantern:updated'));
    } catch {
      // The server went away for a moment: the next event tries again.
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
})();
`;

/** A lantern, drawn once: the brand mark in the header and the favicon. */
export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">' +
  '<path d="M9 2h6v2H9z" fill="#9aa1ad"/><path d="M7 5h10l1 3H6z" fill="#e8890c"/>' +
  '<rect x="7" y="8" width="10" height="11" rx="2" fill="#ffd27a"/><path d="M12 10c1.6 2 1.6 3.6 0 6-1.6-2.4-1.6-4 0-6z" fill="#e8590c"/>' +
  '<path d="M6 19h12l-1 3H7z" fill="#e8890c"/></svg>';
