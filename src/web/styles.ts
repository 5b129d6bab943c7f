// The whole stylesheet: small, readable, phone-friendly. Served at /static/app.css.
export const STYLESHEET = `
:root { --fg:#1d2330; --muted:#5c6578; --line:#e3e6ee; --bg:#f7f8fb; --card:#fff; --brand:#4f46e5;
  --brand-dark:#3730a3; --ok:#0f7b4b; --ok-bg:#e7f6ee; --err:#b42318; --err-bg:#fdecea; --warn-bg:#fff6e0;
  --radius:10px; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); line-height:1.5; }
a { color:var(--brand); }
header.top { background:var(--card); border-bottom:1px solid var(--line); }
header.top .bar { max-width:960px; margin:0 auto; padding:.6rem 1rem; display:flex; gap:1rem; align-items:center; flex-wrap:wrap; }
header.top .brand { font-weight:700; text-decoration:none; color:var(--fg); margin-right:auto; }
header.top form { margin:0; }
main { max-width:960px; margin:0 auto; padding:1.25rem 1rem 3rem; }
h1 { font-size:1.5rem; margin:.25rem 0 1rem; } h2 { font-size:1.15rem; margin:0 0 .75rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:var(--radius); padding:1.1rem 1.2rem; margin-bottom:1rem; }
.muted { color:var(--muted); } .small { font-size:.875rem; }
.flash { padding:.7rem 1rem; border-radius:var(--radius); margin-bottom:1rem; }
.flash.success { background:var(--ok-bg); color:var(--ok); } .flash.error { background:var(--err-bg); color:var(--err); }
.flash.info, .banner { background:var(--warn-bg); }
.banner { padding:.7rem 1rem; border-radius:var(--radius); margin-bottom:1rem; }
label { display:block; font-weight:600; font-size:.9rem; margin:.6rem 0 .25rem; }
input, select { font:inherit; padding:.5rem .6rem; border:1px solid var(--line); border-radius:8px; width:100%; max-width:28rem; background:#fff; }
button, .button { font:inherit; display:inline-block; border:0; border-radius:8px; padding:.5rem .9rem; background:var(--brand); color:#fff; cursor:pointer; text-decoration:none; }
button:hover, .button:hover { background:var(--brand-dark); }
button.secondary, .button.secondary { background:#eef0f6; color:var(--fg); }
button.danger { background:var(--err); } button.link { background:none; color:var(--brand); padding:0; }
.row { display:flex; gap:.5rem; align-items:end; flex-wrap:wrap; } .row > * { flex: 0 1 auto; }
.inline { display:inline; }
form.inline { display:inline-flex; gap:.4rem; align-items:center; flex-wrap:wrap; }
form.inline select { width:auto; }
.plan-option { align-items:center; margin-bottom:.5rem; } .plan-option p { margin:0; }
table.history { width:auto; } table.history td { padding-right:2rem; } table.history td:first-child { white-space:nowrap; }
table { width:100%; border-collapse:collapse; } th, td { text-align:left; padding:.5rem .4rem; border-bottom:1px solid var(--line); vertical-align:middle; }
th { font-size:.8rem; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); }
.badge { display:inline-block; font-size:.75rem; font-weight:700; padding:.1rem .5rem; border-radius:999px; background:#eef0f6; color:var(--muted); }
.badge.pro { background:var(--brand); color:#fff; }
.grid { display:grid; gap:1rem; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); }
code, .secret { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:.85rem; background:#f0f1f5; padding:.1rem .3rem; border-radius:4px; overflow-wrap:anywhere; }
.auth { max-width:26rem; margin:2rem auto; }
.mail-html { width:100%; height:28rem; border:1px solid #e4e7eb; border-radius:6px; background:#fff; }
.mail-text { white-space:pre-wrap; overflow-wrap:anywhere; background:#f7f8fa; padding:1rem; border-radius:6px; }
@media (max-width: 600px) { th:nth-child(n+3):not(:last-child), td:nth-child(n+3):not(:last-child) { display:none; } .keep td, .keep th { display:table-cell; } }
`;
