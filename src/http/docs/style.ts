/** The reference page's stylesheet, served from the same origin (the page's CSP allows no inline style). */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #fff; --panel: #f5f7fa; --line: #dde2ea; --link: #1f5fbf; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e7ee; --muted: #9aa4b5; --bg: #14171c; --panel: #1c2027; --line: #2d333d; --link: #7fb0ff; }
}
* { box-sizing: border-box; }
body { margin: 0; display: grid; grid-template-columns: 18rem 1fr; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
nav { position: sticky; top: 0; height: 100vh; overflow-y: auto; padding: 1rem; border-right: 1px solid var(--line); background: var(--panel); font-size: 13px; }
nav ul { list-style: none; margin: 0; padding-left: 0.75rem; }
nav > ul { padding-left: 0; }
nav li { margin: 0.15rem 0; }
main { padding: 1.5rem 2.5rem 4rem; max-width: 70rem; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 small, .meta, .summary small, td small, h4 small { color: var(--muted); font-weight: normal; }
h2 { margin-top: 3rem; padding-bottom: 0.3rem; border-bottom: 2px solid var(--line); text-transform: capitalize; }
h3 { margin-bottom: 0.25rem; }
h4 { margin: 1rem 0 0.4rem; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
p code, td code, li code { background: var(--panel); padding: 0 0.25rem; border-radius: 3px; }
section.operation, section.schema { margin: 1.5rem 0; padding: 0.5rem 1.25rem 1rem; border: 1px solid var(--line); border-radius: 6px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
.method { display: inline-block; min-width: 3.6rem; padding: 0 0.35rem; border-radius: 3px; font: 600 11px/1.6 ui-monospace, monospace; text-align: center; color: #fff; background: #6b7280; }
.method.get { background: #2f7d4f; } .method.post { background: #1f5fbf; } .method.put, .method.patch { background: #a86208; } .method.delete { background: #b42318; }
@media (max-width: 50rem) { body { display: block; } nav { position: static; height: auto; } main { padding: 1rem; } }
`;
