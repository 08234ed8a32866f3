//! The page. Every string from the paste or the engine goes into the DOM as a text node
//! or an attribute value — never as markup — so a pasted `<img onerror=…>` stays text.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use netdoc::report::{Finding, Missing, SegmentReport};
use wasm_bindgen::JsCast;

use crate::browser;
use crate::model::{self, Diagnosis, PasteLine};

/// Diagnose this long after the last keystroke.
const DEBOUNCE: Duration = Duration::from_millis(400);

pub fn mount() {
    browser::remove_loading_note();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let diagnosis = RwSignal::new(None::<Arc<Diagnosis>>);
    let note = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);

    let cancel_pending = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(None);
    };
    let run = move || {
        cancel_pending();
        let input = text.get_untracked();
        if input.trim().is_empty() {
            diagnosis.set(None);
        } else {
            diagnosis.set(Some(Arc::new(Diagnosis::new(&input))));
        }
    };
    let schedule = move || {
        cancel_pending();
        if let Ok(handle) = set_timeout_with_handle(run, DEBOUNCE) {
            pending.set_value(Some(handle));
        }
    };
    let load = move |input: String| {
        text.set(input);
        run();
    };
    let open_file = move |file: web_sys::File| {
        spawn_local(async move {
            match browser::read_text(&file).await {
                Ok(input) => {
                    note.set(format!("Read {}.", file.name()));
                    load(input);
                }
                Err(problem) => note.set(problem),
            }
        });
    };
    // A file dropped anywhere on the page is read; dropped text falls through to the
    // textarea's own handling.
    let on_drop = move |ev: web_sys::DragEvent| {
        let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        ev.prevent_default();
        open_file(file);
    };
    let on_pick = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            open_file(file);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };

    view! {
        <main
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <header>
                <h1>"netdoc"</h1>
                <p class="tagline">
                    "Paste what your terminal printed — kubectl, dig, nslookup, curl, ss … — "
                    "and get the broken layer, the lines that prove it, and the next command "
                    "to run. Everything runs in this page: nothing you paste leaves it."
                </p>
            </header>
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
                        schedule();
                    }
                ></textarea>
                <div class="actions">
                    <button class="primary" data-testid="diagnose" on:click=move |_| run()>
                        "Diagnose"
                    </button>
                    <button data-testid="example" on:click=move |_| load(netdoc::EXAMPLE.to_string())>
                        "Example"
                    </button>
                    <label class="file">
                        "Open a file… "
                        <input type="file" data-testid="file" on:change=on_pick />
                    </label>
                    <button data-testid="clear" on:click=move |_| load(String::new())>
                        "Clear"
                    </button>
                    <span class="note" role="status" aria-live="polite" data-testid="note">
                        {move || note.get()}
                    </span>
                </div>
            </section>
            {move || diagnosis.get().map(|d| view! { <Results d=d note=note /> })}
        </main>
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
            .map(|(rank, f)| finding_view(rank, f))
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
fn severity_class(severity: &str) -> &'static str {
    match severity {
        "critical" => "sev-critical",
        "error" => "sev-error",
        "warning" => "sev-warning",
        "info" => "sev-info",
        _ => "sev-other",
    }
}

fn finding_view(rank: usize, f: &Finding) -> impl IntoView + use<> {
    let evidence = f
        .evidence
        .iter()
        .map(|e| {
            let place = if e.line == 0 {
                view! { <span class="place">"calc"</span> }.into_any()
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
        <li class=format!("finding {}", severity_class(&f.severity)) data-testid="finding">
            <h3>
                <span class="rank">{format!("{}.", rank + 1)}</span>
                " "
                {f.title.clone()}
            </h3>
            <p class="badges">
                <code class="id" data-testid="finding-id">{f.id.clone()}</code>
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
fn copy(text: String, note: RwSignal<String>) {
    spawn_local(async move {
        let message = if browser::copy_text(&text).await {
            "Copied to the clipboard."
        } else {
            "The browser refused the clipboard: select the text and copy it by hand."
        };
        note.set(message.to_string());
    });
}
