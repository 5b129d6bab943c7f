// The design system's stylesheet, served at /static/app.css: tokens (custom properties) first,
// then base elements, the shell (header, menus, footer), and one block per component of
// ./ui.tsx. Plain CSS, no build step. Every text colour pairs with its background at ≥ 4.5:1.
// The values the mails share (./tokens.ts) are interpolated from there.
import { TOKENS as T } from './tokens.js';

export const STYLESHEET = `
:root {
  /* Spacing scale (4 px steps) */
  --control-height:2.5rem; --space-1:.25rem; --space-2:.5rem; --space-3:.75rem; --space-4:1rem; --space-5:1.5rem;
  --space-6:2rem; --space-7:3rem;
  /* Type scale */
  --text-xs:.75rem; --text-sm:.875rem; --text-base:.9375rem; --text-lg:1.125rem;
  --text-xl:1.375rem; --text-2xl:1.75rem; --text-3xl:2.5rem;
  --font-sans: ${T.fontSans};
  --font-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  /* Colours: neutrals, one accent, four tones (fg on its bg ≥ 4.5:1) */
  --fg:${T.fg}; --muted:${T.muted}; --subtle:#6b7280; --line:${T.line}; --line-strong:#d1d5db;
  --bg:${T.bg}; --surface:${T.surface}; --surface-2:#f3f4f6;
  --accent:${T.accent}; --accent-hover:${T.accentHover}; --accent-bg:#eef2ff; --on-accent:${T.onAccent};
  --success:#166534; --success-bg:#dcfce7; --success-line:#86efac;
  --warning:#854d0e; --warning-bg:#fef9c3; --warning-line:#fde047;
  --danger:#b91c1c; --danger-hover:#991b1b; --danger-bg:#fee2e2; --danger-line:#fca5a5;
  --info:#1e40af; --info-bg:#dbeafe; --info-line:#93c5fd;
  --focus:#4338ca;
  /* Radii and shadows */
  --radius-sm:${T.radiusSm}; --radius:8px; --radius-lg:${T.radiusLg}; --radius-full:999px;
  --shadow-sm:0 1px 2px rgb(17 24 39 / .05);
  --shadow:0 1px 3px rgb(17 24 39 / .08), 0 1px 2px rgb(17 24 39 / .04);
  --shadow-lg:0 12px 32px rgb(17 24 39 / .16), 0 2px 6px rgb(17 24 39 / .08);
  --content-width:1040px;
  color-scheme: light;
  font-family: var(--font-sans);
}
* { box-sizing:border-box; }
[hidden] { display:none !important; }
html { -webkit-text-size-adjust:100%; }
body { margin:0; background:var(--bg); color:var(--fg); font-size:var(--text-base); line-height:1.55;
  display:flex; flex-direction:column; min-height:100vh; }
a { color:var(--accent); text-underline-offset:2px; }
a:hover { color:var(--accent-hover); }
:focus-visible { outline:2px solid var(--focus); outline-offset:2px; border-radius:var(--radius-sm); }
h1, h2, h3 { line-height:1.25; letter-spacing:-.01em; }
h1 { font-size:var(--text-2xl); margin:0 0 var(--space-4); }
h2 { font-size:var(--text-lg); margin:0 0 var(--space-3); }
h3 { font-size:var(--text-base); margin:0 0 var(--space-2); }
p { margin:0 0 var(--space-3); }
p:last-child { margin-bottom:0; }
.muted { color:var(--muted); } .small { font-size:var(--text-sm); }
.visually-hidden { position:absolute !important; width:1px; height:1px; padding:0; margin:-1px;
  overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; border:0; }
code, .secret { font-family:var(--font-mono); font-size:.85em; background:var(--surface-2);
  padding:.1rem .3rem; border-radius:4px; overflow-wrap:anywhere; }

/* ---- Shell ---- */
.skip-link { position:absolute; left:var(--space-3); top:-4rem; z-index:100; background:var(--surface);
  color:var(--accent); padding:var(--space-2) var(--space-4); border-radius:var(--radius); font-weight:600; }
.skip-link:focus { top:var(--space-3); box-shadow:var(--shadow-lg); }
header.top { background:var(--surface); border-bottom:1px solid var(--line); position:relative; z-index:20; }
header.top .bar { max-width:var(--content-width); margin:0 auto; padding:0 var(--space-4); min-height:3.5rem;
  display:flex; gap:var(--space-3); align-items:center; }
.brand { display:inline-flex; align-items:center; gap:var(--space-2); font-weight:700; color:var(--fg);
  text-decoration:none; white-space:nowrap; }
.brand:hover { color:var(--fg); }
.brand svg { flex:none; }
.sep { color:var(--line-strong); font-size:1.25rem; user-select:none; }
.spacer { flex:1 1 auto; }
nav.primary ul, .menu-list { list-style:none; margin:0; padding:0; }
nav.primary ul { display:flex; gap:var(--space-1); align-items:center; }
nav.primary a:not(.btn) { display:inline-flex; align-items:center; gap:var(--space-1); padding:.35rem .6rem; border-radius:var(--radius-sm);
  color:var(--muted); text-decoration:none; font-size:var(--text-sm); font-weight:500; white-space:nowrap; }
nav.primary a:not(.btn):hover { background:var(--surface-2); color:var(--fg); }
nav.primary a[aria-current=page] { color:var(--fg); background:var(--surface-2); }
.nav-tag { font-size:var(--text-xs); color:var(--muted); font-weight:500; }
.header-cta a { font-size:var(--text-sm); font-weight:600; white-space:nowrap; text-decoration:none; padding:.3rem .6rem;
  border-radius:var(--radius-sm); border:1px solid #c7d2fe; background:var(--accent-bg); color:var(--accent); }
.header-cta a:hover { background:#e0e7ff; }
/* Disclosure menus (<details>): workspace, account, mobile navigation. */
details.menu { position:relative; }
details.menu > summary { list-style:none; cursor:pointer; display:inline-flex; align-items:center; gap:var(--space-2);
  padding:.35rem .6rem; border-radius:var(--radius-sm); font-size:var(--text-sm); font-weight:600; white-space:nowrap;
  max-width:20rem; border:1px solid transparent; }
details.menu > summary::-webkit-details-marker { display:none; }
details.menu > summary:hover { background:var(--surface-2); }
details.menu[open] > summary { background:var(--surface-2); border-color:var(--line); }
details.menu > summary .label { overflow:hidden; text-overflow:ellipsis; }
details.menu > summary::after { content:""; width:.45rem; height:.45rem; border-right:2px solid currentColor;
  border-bottom:2px solid currentColor; transform:translateY(-2px) rotate(45deg); flex:none; opacity:.7; }
.menu-panel { position:absolute; top:calc(100% + 6px); left:0; min-width:15rem; max-width:min(22rem, calc(100vw - 2rem));
  background:var(--surface); border:1px solid var(--line); border-radius:var(--radius); box-shadow:var(--shadow-lg);
  padding:var(--space-1); z-index:30; }
.menu-panel.end { left:auto; right:0; }
.workspace-menu .menu-panel { min-width:18rem; }
.menu-heading { font-size:var(--text-xs); font-weight:600; color:var(--muted); text-transform:uppercase;
  letter-spacing:.04em; padding:var(--space-2) var(--space-3) var(--space-1); margin:0; }
.menu-list a, .menu-list button.menu-item { display:flex; width:100%; align-items:center; gap:var(--space-2);
  justify-content:space-between; padding:.45rem var(--space-3); border-radius:var(--radius-sm); color:var(--fg);
  text-decoration:none; font-size:var(--text-sm); background:none; border:0; font-weight:400; text-align:left; cursor:pointer; }
.menu-list a:hover, .menu-list button.menu-item:hover { background:var(--surface-2); color:var(--fg); }
.menu-list a[aria-current] { font-weight:600; }
.menu-list .nav-tag [aria-hidden] { display:none; }
.menu-list .nav-tag { border:1px solid var(--line); border-radius:var(--radius-full); padding:0 .4rem; }
.menu-list a[aria-current]::after { content:"✓"; color:var(--accent); }
.menu-list form { display:block; margin:0; }
.menu-divider { border:0; border-top:1px solid var(--line); margin:var(--space-1) 0; }
.menu-identity { padding:var(--space-2) var(--space-3); font-size:var(--text-sm); }
.menu-identity strong { display:block; }
.menu-identity span { color:var(--muted); overflow-wrap:anywhere; }
.avatar { width:1.75rem; height:1.75rem; border-radius:var(--radius-full); background:var(--accent-bg); color:var(--accent);
  display:inline-grid; place-items:center; font-size:var(--text-xs); font-weight:700; flex:none; }
.mobile-only { display:none; }
main { flex:1 0 auto; width:100%; max-width:var(--content-width); margin:0 auto; padding:var(--space-6) var(--space-4) var(--space-7); }
main:focus { outline:none; }
footer.site { border-top:1px solid var(--line); background:var(--surface); }
footer.site .inner { max-width:var(--content-width); margin:0 auto; padding:var(--space-4); display:flex; gap:var(--space-4);
  flex-wrap:wrap; font-size:var(--text-sm); color:var(--muted); }
footer.site a { color:var(--muted); }
/* The header collapses into the Menu button before it could wrap (several workspaces, long
   names); phones get tighter spacing too. */
@media (max-width: 900px) {
  .desktop-only { display:none !important; }
  .mobile-only { display:block; }
  details.menu.mobile-only { display:block; }
  header.top .bar { gap:var(--space-2); padding:0 var(--space-3); }
  details.menu > summary { max-width:13rem; }
  .header-cta { display:none; }
  .brand-name.collapse { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
  .mobile-nav .menu-panel { position:fixed; top:3.5rem; left:auto; right:var(--space-3); width:min(20rem, calc(100vw - 1.5rem)); max-width:none; }
}
@media (max-width: 640px) {
  .mobile-nav .menu-panel { left:var(--space-3); width:auto; }
  main { padding:var(--space-5) var(--space-3) var(--space-6); }
  h1 { font-size:var(--text-xl); }
}

/* ---- Buttons ---- */
button, .button, .btn { font:inherit; font-size:var(--text-sm); font-weight:600; line-height:1.25; display:inline-flex;
  align-items:center; justify-content:center; gap:var(--space-2); border:1px solid transparent; border-radius:var(--radius-sm);
  padding:.5rem .9rem; min-height:var(--control-height); background:var(--accent); color:var(--on-accent); cursor:pointer;
  text-decoration:none; white-space:nowrap; }
button:hover, .button:hover, .btn:hover { background:var(--accent-hover); color:var(--on-accent); }
button.secondary, .button.secondary, .btn.secondary { background:var(--surface); color:var(--fg); border-color:var(--line-strong);
  box-shadow:var(--shadow-sm); }
button.secondary:hover, .button.secondary:hover, .btn.secondary:hover { background:var(--surface-2); color:var(--fg); }
button.danger, .button.danger, .btn.danger { background:var(--danger); color:#fff; }
button.danger:hover, .button.danger:hover, .btn.danger:hover { background:var(--danger-hover); }
button.link, .btn.link { background:none; color:var(--accent); padding:0; min-height:0; border:0; font-weight:500;
  text-decoration:underline; text-underline-offset:2px; }
button.link:hover, .btn.link:hover { background:none; color:var(--accent-hover); }
.btn.sm, button.sm { padding:.3rem .6rem; min-height:1.875rem; font-size:var(--text-xs); }
button:disabled, .btn[aria-disabled=true] { opacity:.55; cursor:not-allowed; }

/* ---- Forms ---- */
label { display:block; font-weight:600; font-size:var(--text-sm); margin:var(--space-3) 0 var(--space-1); }
.field > label { margin-top:0; }
input, select, textarea { font:inherit; font-size:var(--text-sm); padding:.5rem .65rem; border:1px solid var(--line-strong);
  border-radius:var(--radius-sm); width:100%; max-width:28rem; background:var(--surface); color:var(--fg); min-height:var(--control-height); }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline:2px solid var(--focus); outline-offset:0; border-color:var(--focus); }
input[readonly] { background:var(--surface-2); }
input[type=checkbox], input[type=radio] { width:auto; min-height:0; }
.field { margin:0 0 var(--space-4); }
.field .hint { font-size:var(--text-sm); color:var(--muted); margin:var(--space-1) 0 0; }
.field .error-text { font-size:var(--text-sm); color:var(--danger); margin:var(--space-1) 0 0; font-weight:500; }
.field [aria-invalid=true] { border-color:var(--danger); }
.row { display:flex; gap:var(--space-2); align-items:end; flex-wrap:wrap; } .row > * { flex:0 1 auto; }
.row label { margin-top:var(--space-2); }
.inline { display:inline; }
form.inline { display:inline-flex; gap:var(--space-2); align-items:center; flex-wrap:wrap; margin:0; }
form.inline select { width:auto; }
.actions { display:flex; gap:var(--space-2); align-items:center; flex-wrap:wrap; }
.actions.end { justify-content:flex-end; }

/* ---- Cards, sections, page header ---- */
.card { background:var(--surface); border:1px solid var(--line); border-radius:var(--radius-lg); padding:var(--space-5);
  margin-bottom:var(--space-4); box-shadow:var(--shadow-sm); }
.card-header { display:flex; gap:var(--space-3); align-items:flex-start; justify-content:space-between; flex-wrap:wrap;
  margin-bottom:var(--space-4); }
.card-header h2, .card-header h3 { margin:0; }
.card-description { color:var(--muted); font-size:var(--text-sm); margin:var(--space-1) 0 0; }
.card-footer { margin:var(--space-5) calc(-1 * var(--space-5)) calc(-1 * var(--space-5)); padding:var(--space-3) var(--space-5);
  border-top:1px solid var(--line); background:var(--bg); border-radius:0 0 var(--radius-lg) var(--radius-lg);
  display:flex; gap:var(--space-3); align-items:center; justify-content:space-between; flex-wrap:wrap; font-size:var(--text-sm); color:var(--muted); }
.card.danger-zone { border-color:var(--danger-line); }
.card.danger-zone .card-header h2 { color:var(--danger); }
.section { margin:0 0 var(--space-6); }
.section-header { margin-bottom:var(--space-3); }
.section-header h2 { margin:0; }
.page-header { display:flex; gap:var(--space-3); align-items:flex-end; justify-content:space-between; flex-wrap:wrap;
  margin-bottom:var(--space-5); }
.page-header h1 { margin:0; }
.page-header p { margin:var(--space-1) 0 0; color:var(--muted); }
.grid { display:grid; gap:var(--space-4); grid-template-columns:repeat(auto-fit, minmax(240px, 1fr)); }
.auth { max-width:26rem; margin:var(--space-6) auto; }
.auth form button[type=submit] { margin-top:var(--space-4); width:100%; }
.auth form p:has(> button) { margin:0; }
.nowrap { white-space:nowrap; }

/* ---- Badges and status pills ---- */
.badge { display:inline-flex; align-items:center; gap:.35rem; font-size:var(--text-xs); font-weight:600; line-height:1.4;
  padding:.1rem .5rem; border-radius:var(--radius-full); background:var(--surface-2); color:#374151;
  border:1px solid var(--line); vertical-align:middle; white-space:nowrap; }
.badge.pro, .badge.accent { background:var(--accent-bg); color:var(--accent); border-color:#c7d2fe; }
.badge.success { background:var(--success-bg); color:var(--success); border-color:var(--success-line); }
.badge.warning { background:var(--warning-bg); color:var(--warning); border-color:var(--warning-line); }
.badge.danger { background:var(--danger-bg); color:var(--danger); border-color:var(--danger-line); }
.badge.info { background:var(--info-bg); color:var(--info); border-color:var(--info-line); }
.badge.dot::before { content:""; width:.45rem; height:.45rem; border-radius:50%; background:currentColor; }

/* ---- Notices, feedback, toast ---- */
.notice, .banner, .flash { display:flex; gap:var(--space-3); align-items:flex-start; padding:var(--space-3) var(--space-4);
  border-radius:var(--radius); border:1px solid var(--info-line); background:var(--info-bg); color:var(--info);
  margin-bottom:var(--space-4); font-size:var(--text-sm); }
.notice > .body, .toast > .body { flex:1; min-width:0; }
.notice strong.title { display:block; }
.notice a:not(.btn), .banner a:not(.btn), .flash a:not(.btn) { color:inherit; font-weight:600; }
.banner, .notice.warn, .flash.info { background:var(--warning-bg); color:var(--warning); border-color:var(--warning-line); }
.notice.info { background:var(--info-bg); color:var(--info); border-color:var(--info-line); }
.notice.danger, .flash.error { background:var(--danger-bg); color:var(--danger); border-color:var(--danger-line); }
.notice.success, .flash.success { background:var(--success-bg); color:var(--success); border-color:var(--success-line); }
.card.banner { display:block; }
.notice .icon, .toast .icon { flex:none; width:1.25rem; height:1.25rem; border-radius:50%; display:inline-grid; place-items:center;
  font-size:.75rem; font-weight:800; border:1.5px solid currentColor; margin-top:.05rem; }
.feedback { margin:0 0 var(--space-4); }
.feedback:empty { display:none; }
.toast-region { margin:0 0 var(--space-4); }
.toast { box-shadow:var(--shadow); }
.toast .dismiss { background:none; border:0; color:inherit; min-height:0; padding:0 .25rem; font-size:1.1rem; line-height:1; }
.toast .dismiss:hover { background:none; }

/* ---- Tables ---- */
.table-wrap { overflow-x:auto; border:1px solid var(--line); border-radius:var(--radius); background:var(--surface); }
.table-wrap > table { margin:0; }
.table-wrap > table tr:last-child td { border-bottom:0; }
table { width:100%; border-collapse:collapse; font-size:var(--text-sm); }
th, td { text-align:left; padding:.6rem .75rem; border-bottom:1px solid var(--line); vertical-align:middle; }
th { font-size:var(--text-xs); text-transform:uppercase; letter-spacing:.04em; color:var(--muted); font-weight:600; background:var(--bg); }
table.history { width:auto; } table.history td { padding-right:2rem; } table.history td:first-child { white-space:nowrap; }
@media (max-width: 640px) {
  table.stack thead { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display:block; width:100%; }
  table.stack tr { padding:var(--space-2) 0; border-bottom:1px solid var(--line); }
  table.stack td { border:0; padding:.25rem .75rem; display:flex; gap:var(--space-3); justify-content:space-between; align-items:center; }
  table.stack td[data-label]::before { content:attr(data-label); font-size:var(--text-xs); font-weight:600; color:var(--muted);
    text-transform:uppercase; letter-spacing:.04em; }
}

/* ---- Description list, empty state, copy field, dialog ---- */
dl.details { display:grid; grid-template-columns:minmax(8rem, max-content) 1fr; gap:var(--space-2) var(--space-5); margin:0; font-size:var(--text-sm); }
dl.details dt { color:var(--muted); }
dl.details dd { margin:0; overflow-wrap:anywhere; }
@media (max-width: 480px) { dl.details { grid-template-columns:1fr; gap:0; } dl.details dd { margin-bottom:var(--space-2); } }
.empty-state { text-align:center; padding:var(--space-6) var(--space-4); border:1px dashed var(--line-strong);
  border-radius:var(--radius-lg); background:var(--surface); }
.empty-state h2, .empty-state h3 { margin-bottom:var(--space-1); }
.empty-state p { color:var(--muted); max-width:32rem; margin-left:auto; margin-right:auto; }
.empty-state .actions { justify-content:center; margin-top:var(--space-4); }
.copy-field { display:flex; gap:var(--space-2); align-items:center; max-width:40rem; }
.copy-field input { font-family:var(--font-mono); max-width:none; flex:1; min-width:0; }
.copy-field .copy-status { font-size:var(--text-sm); color:var(--success); }
dialog.confirm { border:1px solid var(--line); border-radius:var(--radius-lg); padding:var(--space-5); width:min(28rem, calc(100vw - 2rem));
  box-shadow:var(--shadow-lg); color:var(--fg); background:var(--surface); }
dialog.confirm::backdrop { background:rgb(17 24 39 / .45); }
dialog.confirm h2 { margin-bottom:var(--space-2); }
dialog.confirm p { color:var(--muted); font-size:var(--text-sm); }
dialog.confirm .actions { justify-content:flex-end; margin-top:var(--space-5); }
form.confirm-form { display:inline; margin:0; }

/* ---- Error and landing pages ---- */
.error-page { max-width:36rem; margin:var(--space-6) auto; }
.error-page .status-code { font-family:var(--font-mono); font-size:var(--text-sm); color:var(--muted); margin-bottom:var(--space-2); }
.hero { text-align:center; padding:var(--space-7) 0 var(--space-6); }
.hero h1 { font-size:var(--text-3xl); letter-spacing:-.03em; max-width:44rem; margin:0 auto var(--space-4); }
.hero .lede { font-size:var(--text-lg); color:var(--muted); max-width:36rem; margin:0 auto var(--space-5); }
.hero .actions { justify-content:center; margin-bottom:var(--space-4); }
.hero .btn { font-size:var(--text-base); padding:.65rem 1.2rem; }
.features { display:grid; gap:var(--space-4); grid-template-columns:repeat(auto-fit, minmax(220px, 1fr)); list-style:none; padding:0; margin:0; }
.features li { background:var(--surface); border:1px solid var(--line); border-radius:var(--radius-lg); padding:var(--space-5); }
.features h2 { font-size:var(--text-base); }
.features p { color:var(--muted); font-size:var(--text-sm); }
@media (max-width: 640px) { .hero { padding:var(--space-5) 0; } .hero h1 { font-size:var(--text-2xl); } }

/* ---- Page-specific leftovers (billing, mailbox) ---- */
.plan-option { align-items:center; margin-bottom:var(--space-2); } .plan-option p { margin:0; }
.mail-html { width:100%; height:28rem; border:1px solid var(--line); border-radius:var(--radius-sm); background:#fff; }
.mail-text { white-space:pre-wrap; overflow-wrap:anywhere; background:var(--surface-2); padding:var(--space-4); border-radius:var(--radius-sm); }
/* Legacy tables outside <Table>: hide middle columns on phones. <Table> scrolls or stacks instead. */
@media (max-width: 600px) { :not(.table-wrap) > table:not(.stack) th:nth-child(n+3):not(:last-child), :not(.table-wrap) > table:not(.stack) td:nth-child(n+3):not(:last-child) { display:none; }
  .keep td, .keep th { display:table-cell; } }
/* ---- Billing (src/billing/web): plan section, plan cards, interval switch, reports ---- */
.plan-summary { margin-bottom:var(--space-4); }
.plan-summary .plan-name { font-size:var(--text-xl); display:flex; gap:var(--space-3); align-items:center; flex-wrap:wrap; margin-bottom:var(--space-1); }
[data-testid=plan-section] > .notice, [data-testid=plan-section] > dl.details, [data-testid=plan-section] > .actions { margin-bottom:var(--space-4); }
.plan-subsection { margin-top:var(--space-5); padding-top:var(--space-4); border-top:1px solid var(--line); }
.plan-subsection > .actions { margin-top:var(--space-3); }
.invoice-links { white-space:nowrap; text-align:right; }
ol.timeline { list-style:none; margin:0; padding:0 0 0 var(--space-4); border-left:2px solid var(--line); font-size:var(--text-sm); }
ol.timeline li { position:relative; padding:0 0 var(--space-3); display:flex; gap:var(--space-3); flex-wrap:wrap; }
ol.timeline li::before { content:""; position:absolute; left:calc(-1 * var(--space-4) - 6px); top:.45rem; width:10px; height:10px; border-radius:50%; background:var(--surface); border:2px solid var(--line-strong); }
ol.timeline li time { color:var(--muted); min-width:7rem; }
.segmented { display:inline-flex; align-items:center; gap:var(--space-1); padding:var(--space-1); background:var(--surface-2); border:1px solid var(--line); border-radius:var(--radius-full); margin-bottom:var(--space-5); flex-wrap:wrap; }
.segmented a { padding:.35rem var(--space-4); border-radius:var(--radius-full); text-decoration:none; color:var(--muted); font-weight:600; font-size:var(--text-sm); }
.segmented a.selected { background:var(--surface); color:var(--fg); box-shadow:var(--shadow-sm); }
.segmented > span { padding:0 var(--space-3) 0 var(--space-1); }
.plan-grid { align-items:stretch; margin-bottom:var(--space-4); }
.plan-card { display:flex; flex-direction:column; gap:var(--space-2); margin:0; }
.plan-card.current { border-color:var(--accent); box-shadow:0 0 0 1px var(--accent); }
.plan-card-head { display:flex; justify-content:space-between; align-items:center; gap:var(--space-2); }
.plan-card-head h2 { margin:0; }
.plan-price { margin:var(--space-2) 0 0; }
.plan-price .quote { display:block; color:var(--muted); margin-top:var(--space-1); font-size:var(--text-sm); }
.plan-price .amount { font-size:var(--text-3xl); font-weight:700; letter-spacing:-.02em; }
.plan-price .per, .plan-price .saving { color:var(--muted); }
.plan-price .saving { white-space:nowrap; display:inline-block; }
.plan-card .plan-option { display:flex; flex-direction:column; align-items:stretch; gap:var(--space-3); margin:0; }
.plan-card .plan-option .btn, .plan-card > .btn { justify-content:center; }
.plan-card .trial-note { color:var(--success); margin:0; }
ul.plan-features { list-style:none; margin:var(--space-2) 0 0; padding:var(--space-3) 0 0; border-top:1px solid var(--line); font-size:var(--text-sm); }
ul.plan-features li { padding:.2rem 0 .2rem 1.5rem; position:relative; }
ul.plan-features li::before { content:"✓"; position:absolute; left:0; color:var(--success); font-weight:700; }
.stat { font-size:var(--text-3xl); font-weight:700; margin:0; line-height:1.1; }
meter { width:100%; max-width:14rem; height:.6rem; }
/* Forms of the workspace and account pages: a row of fields whose button lines up with the inputs
   whatever sits under a field (a hint, an error); a revealed secret; a role cell with its reason. */
form.row.fields { align-items:flex-start; margin-bottom:var(--space-4); }
form.row.fields > .field { margin-bottom:0; }
form.row.fields > .btn { margin-top:calc(var(--space-2) + var(--text-sm) * 1.55 + var(--space-1)); }
.reveal, .verify { margin-bottom:var(--space-5); }
.reveal > p { margin:0 0 var(--space-2); }
.role-cell .hint { display:block; margin-top:var(--space-1); max-width:22rem; }
td.row-actions { text-align:right; white-space:nowrap; }
td.row-actions dialog { white-space:normal; text-align:left; }
@media (max-width: 640px) { td.row-actions { text-align:left; } .role-cell { text-align:right; } }
/* Pending state (app.js): the pressed button keeps its label and shows a spinner. */
form[aria-busy=true] button:disabled { cursor:progress; }
.btn.is-pending, button.is-pending { opacity:.8; }
.btn.is-pending::before, button.is-pending::before { content:""; width:.9em; height:.9em; border-radius:50%;
  border:2px solid currentColor; border-right-color:transparent; animation:spin .7s linear infinite; flex:none; }
@keyframes spin { to { transform:rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .btn.is-pending::before, button.is-pending::before { animation-duration:2s; } }
/* The header with a long workspace name: the name shrinks (ellipsis) before anything overflows. */
header.top .bar > * { min-width:0; }
header.top .bar > .brand, header.top .bar > .header-cta, header.top .bar > nav { flex:none; }
.workspace-menu { min-width:0; flex:0 1 auto; }
.workspace-menu > summary { max-width:100%; }
/* Verification banner: every page until the address is confirmed. */
.verify-banner { background:var(--warning-bg); border-bottom:1px solid var(--warning-line); color:var(--fg); font-size:var(--text-sm); }
.verify-banner .inner { max-width:var(--content-width); margin:0 auto; padding:var(--space-2) var(--space-4);
  display:flex; gap:var(--space-3); align-items:center; flex-wrap:wrap; }
.verify-banner form { margin:0; }
/* The upgrade prompt where a gated feature lives (src/billing/web/feature-preview.tsx). */
.feature-preview { display:grid; gap:var(--space-5); grid-template-columns:minmax(0, 1fr) minmax(0, 1fr); align-items:start; }
@media (max-width: 800px) { .feature-preview { grid-template-columns:minmax(0, 1fr); } }
.feature-preview .unlock { margin:0; }
ul.checks { list-style:none; margin:0 0 var(--space-4); padding:0; font-size:var(--text-sm); }
ul.checks li { padding:.2rem 0 .2rem 1.5rem; position:relative; }
ul.checks li::before { content:"✓"; position:absolute; left:0; color:var(--success); font-weight:700; }
.plan-line { margin:0 0 var(--space-3); }
.feature-preview form .small { margin:var(--space-2) 0 0; }
figure.sample { margin:0; padding:var(--space-4); border:1px dashed var(--line-strong); border-radius:var(--radius-lg);
  background:var(--surface); overflow:hidden; }
figure.sample figcaption { margin-bottom:var(--space-2); text-transform:uppercase; letter-spacing:.04em; font-weight:600; }
table.blurred { width:100%; border-collapse:collapse; filter:blur(3px); user-select:none; pointer-events:none; font-size:var(--text-sm); }
table.blurred th, table.blurred td { text-align:left; padding:var(--space-2); border-bottom:1px solid var(--line); }
`;
