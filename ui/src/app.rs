//! The page. Every string from the paste or the engine goes into the DOM as a text node
//! or an attribute value — never as markup — so a pasted `<img onerror=…>` stays text.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use netdoc::report::{Finding, Missing, SegmentReport};
use wasm_bindgen::JsCast;

use crate::model::{self, Diagnosis, PasteLine, Route};
use crate::{browser, pages};

/// Diagnose this long after the last keystroke.
const DEBOUNCE: Duration = Duration::from_millis(400);

pub fn mount() {
    browser::remove_loading_note();
    leptos::mount::mount_to_body(App);
}

/// The Diagnose page's state: kept while other pages show, so coming back finds the paste.
#[derive(Clone, Copy)]
pub struct DiagnoseState {
    text: RwSignal<String>,
    diagnosis: RwSignal<Option<Arc<Diagnosis>>>,
    pending: StoredValue<Option<TimeoutHandle>>,
}

impl DiagnoseState {
    fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            diagnosis: RwSignal::new(None),
            pending: StoredValue::new(None),
        }
    }

    fn cancel_pending(self) {
        if let Some(handle) = self.pending.get_value() {
            handle.clear();
        }
        self.pending.set_value(None);
    }

    fn run(self) {
        self.cancel_pending();
        let input = self.text.get_untracked();
        if input.trim().is_empty() {
            self.diagnosis.set(None);
        } else {
            self.diagnosis.set(Some(Arc::new(Diagnosis::new(&input))));
        }
    }

    fn schedule(self) {
        self.cancel_pending();
        if let Ok(handle) = set_timeout_with_handle(move || self.run(), DEBOUNCE) {
            self.pending.set_value(Some(handle));
        }
    }

    fn load(self, input: String) {
        self.text.set(input);
        self.run();
    }

    fn open_file(self, file: web_sys::File, note: RwSignal<String>) {
        spawn_local(async move {
            match browser::read_text(&file).await {
                Ok(input) => {
                    note.set(format!("Read {}.", file.name()));
                    self.load(input);
                }
                Err(problem) => note.set(problem),
            }
        });
    }
}

/// The route `location.hash` names, if any.
fn current_route() -> Option<Route> {
    let hash = web_sys::window()?.location().hash().ok()?;
    Route::from_hash(&hash)
}

#[component]
fn App() -> impl IntoView {
    let route = RwSignal::new(current_route().unwrap_or(Route::Diagnose));
    let note = RwSignal::new(String::new());
    let diagnose = DiagnoseState::new();
    let subnet = pages::SubnetState::new();
    let mtu = pages::MtuState::new();
    let dns = pages::DnsState::new();
    let policy = pages::PolicyState::new();

    // Hash links (`#/mtu`) navigate; other anchors (`#L12`) keep the page.
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(r) = current_route() {
            if r != route.get_untracked() {
                note.set(String::new());
                route.set(r);
            }
        }
    });
    on_cleanup(move || listener.remove());

    // A file dropped anywhere on the page goes to the page that reads files; dropped text
    // falls through to the fields' own handling.
    let on_drop = move |ev: web_sys::DragEvent| {
        let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) else {
            return;
        };
        if files.length() == 0 {
            return;
        }
        ev.prevent_default();
        match route.get_untracked() {
            Route::Diagnose => {
                if let Some(file) = files.get(0) {
                    diagnose.open_file(file, note);
                }
            }
            Route::Policy => policy.add_files(browser::file_list(&files), note),
            _ => note.set("Files are read on the Diagnose and Policy pages.".to_string()),
        }
    };

    let nav = Route::ALL
        .iter()
        .map(|&r| {
            view! {
                <a
                    href=format!("#/{}", r.slug())
                    data-testid=format!("nav-{}", r.slug())
                    class:current=move || route.get() == r
                    aria-current=move || (route.get() == r).then_some("page")
                >
                    {r.label()}
                </a>
            }
        })
        .collect_view();

    view! {
        <main
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <header>
                <h1>"netdoc"</h1>
                <nav data-testid="nav" aria-label="Pages">{nav}</nav>
            </header>
            {move || match route.get() {
                Route::Diagnose => view! { <Diagnose state=diagnose note=note /> }.into_any(),
                Route::Subnet => view! { <pages::Subnet state=subnet note=note /> }.into_any(),
                Route::Mtu => view! { <pages::Mtu state=mtu note=note /> }.into_any(),
                Route::Dns => view! { <pages::Dns state=dns note=note /> }.into_any(),
                Route::Policy => view! { <pages::Policy state=policy note=note /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Diagnose(state: DiagnoseState, note: RwSignal<String>) -> impl IntoView {
    let text = state.text;
    let diagnosis = state.diagnosis;
    let on_pick = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            state.open_file(file, note);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };

    view! {
        <p class="tagline">
            "Paste what your terminal printed — kubectl, dig, nslookup, curl, ss … — "
            "and get the broken layer, the lines that prove it, and the next command "
            "to run. Everything runs in this page: nothing you paste leaves it."
        </p>
        <section class="input">
            <label for="paste">"Terminal output"</label>
            <textarea
                id="paste"
                data-testid="paste"
                spellcheck="false"
                wrap="off"
                autocomplete="off"
                placeholder="Paste kubectl / dig / curl / ss output here, or drop a file"
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    state.schedule();
                }
            ></textarea>
            <div class="actions">
                <button class="primary" data-testid="diagnose" on:click=move |_| state.run()>
                    "Diagnose"
                </button>
                <button
                    data-testid="example"
                    on:click=move |_| state.load(netdoc::EXAMPLE.to_string())
                >
                    "Example"
                </button>
                <label class="file">
                    "Open a file… "
                    <input type="file" data-testid="file" on:change=on_pick />
                </label>
                <button data-testid="clear" on:click=move |_| state.load(String::new())>
                    "Clear"
                </button>
                <span class="note" role="status" aria-live="polite" data-testid="note">
                    {move || note.get()}
                </span>
            </div>
        </section>
        {move || diagnosis.get().map(|d| view! { <Results d=d note=note /> })}
    }
}

#[component]
fn Results(d: Arc<Diagnosis>, note: RwSignal<String>) -> impl IntoView {
    let report = &d.report;
    let summary = format!(
        "{} · {} · {} read · {} cited as evidence",
        model::plural(report.findings.len(), "finding", "findings"),
        model::plural(report.missing.len(), "open question", "open questions"),
        model::plural(report.segments.len(), "segment", "segments"),
        model::plural(d.cited_count(), "line", "lines"),
    );
    let findings = if report.findings.is_empty() {
        view! {
            <p class="empty">
                "No finding: nothing in this paste shows a broken layer. "
                "The questions below say what to paste next."
            </p>
        }
        .into_any()
    } else {
        let items = report
            .findings
            .iter()
            .enumerate()
            .map(|(rank, f)| finding_view(rank, f, FindingHooks::DIAGNOSE))
            .collect_view();
        view! { <ol class="findings">{items}</ol> }.into_any()
    };
    let missing = (!report.missing.is_empty()).then(|| {
        let items = report
            .missing
            .iter()
            .map(|m| missing_view(m, note))
            .collect_view();
        view! {
            <section class="missing">
                <h2>"Evidence still missing"</h2>
                <ul>{items}</ul>
            </section>
        }
    });
    let slices = report
        .evidence
        .iter()
        .map(|sl| slice_view(sl, note))
        .collect_view();
    let collect = report.collect.clone();
    let collect_copy = report.collect.clone();
    let bundle = view! {
        <section class="bundle" data-testid="bundle">
            <h2>"Evidence bundle"</h2>
            <p class="hint">
                "The five slices a network diagnosis stands on, and how to collect the missing ones. "
                "This prints a script that gathers them all:"
            </p>
            <div class="command">
                <pre><code>{collect}</code></pre>
                <button class="copy" on:click=move |_| copy(collect_copy.clone(), note)>"Copy"</button>
            </div>
            <ul>{slices}</ul>
        </section>
    };
    let segments = report.segments.iter().map(segment_view).collect_view();
    let lines = d.lines.iter().map(line_view).collect_view();
    let markdown = d.markdown.clone();
    let to_copy = d.markdown.clone();
    let to_save = d.markdown.clone();

    view! {
        <p class="summary" data-testid="summary">{summary}</p>
        <section class="findings">
            <h2>"Findings"</h2>
            {findings}
        </section>
        {missing}
        {bundle}
        <section class="paste">
            <h2>"Your paste"</h2>
            <p class="hint">"Highlighted lines are cited as evidence."</p>
            <ol class="lines" data-testid="lines">{lines}</ol>
        </section>
        <section class="segments">
            <h2>"What netdoc read"</h2>
            <table>
                <thead>
                    <tr>
                        <th>"#"</th>
                        <th>"kind"</th>
                        <th>"lines"</th>
                        <th>"status"</th>
                        <th>"confidence"</th>
                        <th>"command"</th>
                    </tr>
                </thead>
                <tbody>{segments}</tbody>
            </table>
        </section>
        <section class="report">
            <h2>"Report and runbooks"</h2>
            <div class="actions">
                <button data-testid="copy-report" on:click=move |_| copy(to_copy.clone(), note)>
                    "Copy"
                </button>
                <button
                    data-testid="download"
                    on:click=move |_| {
                        let saved = browser::download(
                            model::REPORT_FILE,
                            "text/markdown;charset=utf-8",
                            &to_save,
                        );
                        if saved.is_err() {
                            note.set("Could not save the report; copy it instead.".to_string());
                        }
                    }
                >
                    "Download .md"
                </button>
            </div>
            <pre class="markdown" data-testid="report">{markdown}</pre>
        </section>
    }
}

/// CSS class for a severity; the engine's value itself never becomes a class name.
pub(crate) fn severity_class(severity: &str) -> &'static str {
    match severity {
        "critical" => "sev-critical",
        "error" => "sev-error",
        "warning" => "sev-warning",
        "info" => "sev-info",
        _ => "sev-other",
    }
}

/// The `data-testid`s of a finding card, and whether its evidence lines link to the paste.
#[derive(Clone, Copy)]
pub(crate) struct FindingHooks {
    pub card: &'static str,
    pub id: &'static str,
    pub link_lines: bool,
}

impl FindingHooks {
    const DIAGNOSE: FindingHooks = FindingHooks {
        card: "finding",
        id: "finding-id",
        link_lines: true,
    };
}

pub(crate) fn finding_view(rank: usize, f: &Finding, hooks: FindingHooks) -> impl IntoView + use<> {
    let evidence = f
        .evidence
        .iter()
        .map(|e| {
            let place = if e.line == 0 {
                view! { <span class="place">"calc"</span> }.into_any()
            } else if !hooks.link_lines {
                view! { <span class="place">{format!("line {}", e.line)}</span> }.into_any()
            } else {
                view! {
                    <a class="place" href=format!("#L{}", e.line)>{format!("line {}", e.line)}</a>
                }
                .into_any()
            };
            view! {
                <li>
                    {place}
                    " "
                    <code>{e.text.clone()}</code>
                </li>
            }
        })
        .collect_view();
    let explains = (!f.explains.is_empty()).then(|| {
        view! { <p class="explains">"Explains: " {f.explains.join(", ")}</p> }
    });
    view! {
        <li class=format!("finding {}", severity_class(&f.severity)) data-testid=hooks.card>
            <h3>
                <span class="rank">{format!("{}.", rank + 1)}</span>
                " "
                {f.title.clone()}
            </h3>
            <p class="badges">
                <code class="id" data-testid=hooks.id>{f.id.clone()}</code>
                " "
                <span class="badge">"layer " <b>{f.layer.clone()}</b></span>
                " "
                <span class="badge severity">"severity " <b>{f.severity.clone()}</b></span>
            </p>
            <p class="finding-summary">{f.summary.clone()}</p>
            <ul class="evidence">{evidence}</ul>
            {explains}
        </li>
    }
}

fn missing_view(m: &Missing, note: RwSignal<String>) -> impl IntoView + use<> {
    let command = m.command.clone();
    view! {
        <li data-testid="missing">
            <p>{m.question.clone()}</p>
            <div class="command">
                <pre><code>{m.command.clone()}</code></pre>
                <button class="copy" on:click=move |_| copy(command.clone(), note)>"Copy"</button>
            </div>
        </li>
    }
}

fn slice_view(sl: &netdoc::bundle::Slice, note: RwSignal<String>) -> impl IntoView + use<> {
    let state = if sl.present {
        format!("✓ {}", sl.kinds.join(", "))
    } else {
        "missing".to_string()
    };
    let commands = sl
        .commands
        .iter()
        .map(|c| {
            let c2 = c.clone();
            view! {
                <div class="command">
                    <pre><code>{c.clone()}</code></pre>
                    <button class="copy" on:click=move |_| copy(c2.clone(), note)>"Copy"</button>
                </div>
            }
        })
        .collect_view();
    view! {
        <li data-testid="slice" data-present=sl.present.to_string()>
            <p><strong>{sl.title}</strong>" — "{state}</p>
            {commands}
        </li>
    }
}

fn segment_view(s: &SegmentReport) -> impl IntoView + use<> {
    view! {
        <tr data-testid="segment">
            <td>{s.index + 1}</td>
            <td class="nowrap">
                <code>{s.kind.clone().unwrap_or_else(|| "unrecognized".to_string())}</code>
            </td>
            <td class="nowrap">{model::line_range(s)}</td>
            <td>{s.status.clone()}</td>
            <td>{model::confidence(s)}</td>
            <td><code>{s.command.clone().unwrap_or_default()}</code></td>
        </tr>
    }
}

fn line_view(l: &PasteLine) -> impl IntoView + use<> {
    view! {
        <li
            id=format!("L{}", l.number)
            class:cited=l.cited
            data-testid=l.cited.then_some("evidence-line")
        >
            <span class="ln">{l.number}</span>
            <span class="text">{l.text.clone()}</span>
        </li>
    }
}

/// Copy to the clipboard and say how it went; a refusal is a note, never an error.
pub(crate) fn copy(text: String, note: RwSignal<String>) {
    spawn_local(async move {
        let message = if browser::copy_text(&text).await {
            "Copied to the clipboard."
        } else {
            "The browser refused the clipboard: select the text and copy it by hand."
        };
        note.set(message.to_string());
    });
}
