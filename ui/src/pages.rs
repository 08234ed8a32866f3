//! The calculator pages (Subnet, MTU, DNS) and the Policy page. Each recomputes as you
//! type, shows the engine's errors beside the inputs, renders every value as text and
//! copies its answer as markdown. Their state lives in `App`, so it survives navigation.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use netdoc::policy::Manifest;
use netdoc::report::Finding;
use wasm_bindgen::JsCast;

use crate::app::{copy, finding_view, FindingHooks};
use crate::browser;
use crate::tools::{self, PolicyView};

/// Re-read the manifests this long after the last keystroke (YAML can be long).
const POLICY_DEBOUNCE: Duration = Duration::from_millis(300);

// ---------------------------------------------------------------------------------------
// Small pieces shared by the pages

fn field(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                type="text"
                data-testid=testid
                spellcheck="false"
                autocomplete="off"
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

fn checkbox(label: &'static str, testid: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="check">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            " "
            {label}
        </label>
    }
}

fn select(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let initial = value.get_untracked();
    let options = options
        .iter()
        .map(|&(v, text)| view! { <option value=v selected=v == initial>{text}</option> })
        .collect_view();
    view! {
        <label class="field">
            <span>{label}</span>
            <select data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                {options}
            </select>
        </label>
    }
}

/// An engine error, beside the inputs it is about.
fn error_view(message: String, testid: &'static str) -> AnyView {
    view! { <p class="error" role="alert" data-testid=testid>{message}</p> }.into_any()
}

fn hint(text: &'static str) -> AnyView {
    view! { <p class="hint">{text}</p> }.into_any()
}

/// `field | value` rows; each row carries its field name for tests and styling.
fn rows_table(rows: tools::Rows, testid: &'static str) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|(k, v)| {
            let key = k.clone();
            view! {
                <tr data-field=key>
                    <th scope="row">{k}</th>
                    <td><code>{v}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="kv" data-testid=testid>
            <tbody>{body}</tbody>
        </table>
    }
}

/// "Copy as markdown", the page's status note, and the markdown itself to read.
fn copy_bar(markdown: Memo<String>, note: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="actions">
            <button
                data-testid="copy-md"
                on:click=move |_| {
                    let md = markdown.get_untracked();
                    if md.trim().is_empty() {
                        note.set("Nothing to copy yet.".to_string());
                    } else {
                        copy(md, note);
                    }
                }
            >
                "Copy as markdown"
            </button>
            <span class="note" role="status" aria-live="polite" data-testid="note">
                {move || note.get()}
            </span>
        </div>
    }
}

fn markdown_view(markdown: Memo<String>) -> impl IntoView {
    view! {
        <details class="md">
            <summary>"Markdown"</summary>
            <pre class="markdown" data-testid="markdown">{move || markdown.get()}</pre>
        </details>
    }
}

/// Finding cards with their runbook (to read, or copy as markdown).
fn findings_list(
    findings: &[Finding],
    hooks: FindingHooks,
    note: RwSignal<String>,
) -> impl IntoView + use<> {
    let items = findings
        .iter()
        .enumerate()
        .map(|(rank, f)| {
            let runbook = netdoc::runbook_markdown(f);
            let to_copy = runbook.clone();
            view! {
                {finding_view(rank, f, hooks)}
                <li class="runbook">
                    <details>
                        <summary>{format!("Runbook: {}", f.id)}</summary>
                        <pre class="markdown">{runbook}</pre>
                    </details>
                    <button
                        data-testid="copy-runbook"
                        on:click=move |_| copy(to_copy.clone(), note)
                    >
                        "Copy runbook"
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="findings">{items}</ol> }
}

// ---------------------------------------------------------------------------------------
// Subnet

#[derive(Clone, Copy)]
pub struct SubnetState {
    input: RwSignal<String>,
    prefix: RwSignal<String>,
    limit: RwSignal<String>,
    pods: RwSignal<String>,
    services: RwSignal<String>,
    node_mask: RwSignal<String>,
    nodes: RwSignal<String>,
    max_pods: RwSignal<String>,
    node_networks: RwSignal<String>,
}

impl SubnetState {
    pub fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_string());
        Self {
            input: s(""),
            prefix: s(""),
            limit: s("256"),
            pods: s("10.244.0.0/16"),
            services: s("10.96.0.0/12"),
            node_mask: s("24"),
            nodes: s(""),
            max_pods: s("110"),
            node_networks: s(""),
        }
    }
}

const PLAN_HOOKS: FindingHooks = FindingHooks {
    card: "plan-finding",
    id: "plan-finding-id",
    link_lines: false,
};

#[component]
pub fn Subnet(state: SubnetState, note: RwSignal<String>) -> impl IntoView {
    let s = state;
    let info = move || {
        let t = s.input.get();
        (!t.trim().is_empty()).then(|| tools::subnet(&t))
    };
    let split = move || {
        let t = s.input.get();
        let p = s.prefix.get();
        (!t.trim().is_empty() && !p.trim().is_empty()).then(|| tools::split(&t, &p, &s.limit.get()))
    };
    let plan = move || {
        tools::plan(&tools::PlanInput {
            pods: s.pods.get(),
            services: s.services.get(),
            node_mask: s.node_mask.get(),
            nodes: s.nodes.get(),
            max_pods: s.max_pods.get(),
            node_networks: s.node_networks.get(),
        })
    };
    let markdown = Memo::new(move |_| {
        let rows = info().and_then(Result::ok);
        let sp = split().and_then(Result::ok);
        let mut md = String::new();
        if rows.is_some() || sp.is_some() {
            md.push_str(&tools::subnet_markdown(rows.as_ref(), sp.as_ref()));
            md.push('\n');
        }
        if let Ok(p) = plan() {
            md.push_str(&tools::plan_markdown(&p));
        }
        md
    });

    view! {
        <p class="tagline">
            "Subnet arithmetic and a cluster's address plan: type a CIDR, "
            "an address and netmask, or a range A-B."
        </p>
        {copy_bar(markdown, note)}
        <section class="tool">
            <h2>"Subnet"</h2>
            <div class="fields">
                {field("Network", "subnet-input", s.input, "10.244.0.0/16, 10.0.0.7 255.255.255.0 or 10.0.0.0-10.0.0.9")}
            </div>
            {move || match info() {
                None => hint("The fields of a network appear here as you type."),
                Some(Err(e)) => error_view(e, "subnet-error"),
                Some(Ok(rows)) => rows_table(rows, "subnet-result").into_any(),
            }}
            <h3>"Split"</h3>
            <div class="fields">
                {field("Into prefix", "subnet-split-prefix", s.prefix, "24")}
                {field("List at most", "subnet-split-limit", s.limit, "256")}
            </div>
            {move || match split() {
                None => hint("Give a network and a longer prefix to list its subnets."),
                Some(Err(e)) => error_view(e, "subnet-split-error"),
                Some(Ok(sp)) => {
                    let listed = sp.subnets.len();
                    let items = sp
                        .subnets
                        .into_iter()
                        .map(|n| view! { <li><code>{n}</code></li> })
                        .collect_view();
                    view! {
                        <p data-testid="subnet-split-count">
                            {format!(
                                "{} splits into {} /{} subnets{}.",
                                sp.network,
                                sp.count,
                                sp.prefix,
                                if listed.to_string() == sp.count {
                                    String::new()
                                } else {
                                    format!("; the first {listed} are listed")
                                },
                            )}
                        </p>
                        <ol class="subnets" data-testid="subnet-split">{items}</ol>
                    }
                        .into_any()
                }
            }}
        </section>
        <section class="tool">
            <h2>"Cluster plan"</h2>
            <div class="fields">
                {field("Pod CIDR", "plan-pods", s.pods, "10.244.0.0/16")}
                {field("Service CIDR", "plan-services", s.services, "10.96.0.0/12")}
                {field("Node mask", "plan-node-mask", s.node_mask, "24")}
                {field("Nodes", "plan-nodes", s.nodes, "optional")}
                {field("maxPods", "plan-max-pods", s.max_pods, "110")}
            </div>
            <label class="field wide">
                <span>"Node / VPC networks (one a line)"</span>
                <textarea
                    class="short"
                    data-testid="plan-node-networks"
                    spellcheck="false"
                    placeholder="10.0.0.0/16"
                    prop:value=move || s.node_networks.get()
                    on:input=move |ev| s.node_networks.set(event_target_value(&ev))
                ></textarea>
            </label>
            {move || match plan() {
                Err(e) => error_view(e, "plan-error"),
                Ok(p) => {
                    let collisions = if p.collisions.is_empty() {
                        view! {
                            <p class="ok" data-testid="plan-ok">
                                "No collisions with the Service, node/VPC or reserved ranges."
                            </p>
                        }
                            .into_any()
                    } else {
                        let items = p
                            .collisions
                            .iter()
                            .map(|c| {
                                view! {
                                    <li class="collision" data-testid="plan-collision">
                                        <span class="mark" aria-hidden="true">"⚠"</span>
                                        " "
                                        {c.a.role.clone()}
                                        " "
                                        <code>{c.a.cidr.clone()}</code>
                                        " overlaps "
                                        {c.b.role.clone()}
                                        " "
                                        <code>{c.b.cidr.clone()}</code>
                                        " in "
                                        <code>{c.shared.clone()}</code>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <h3>"Collisions"</h3>
                            <ul class="collisions">{items}</ul>
                        }
                            .into_any()
                    };
                    view! {
                        {rows_table(tools::plan_rows(&p), "plan-result")}
                        {collisions}
                        {findings_list(&p.findings, PLAN_HOOKS, note)}
                    }
                        .into_any()
                }
            }}
        </section>
        {markdown_view(markdown)}
    }
}

// ---------------------------------------------------------------------------------------
// MTU

#[derive(Clone, Copy)]
pub struct MtuState {
    underlay: RwSignal<String>,
    encap: RwSignal<String>,
    underlay_ipv6: RwSignal<bool>,
    inner_ipv6: RwSignal<bool>,
    geneve_options: RwSignal<String>,
    configured: RwSignal<String>,
}

impl MtuState {
    pub fn new() -> Self {
        Self {
            underlay: RwSignal::new("1500".to_string()),
            encap: RwSignal::new("vxlan".to_string()),
            underlay_ipv6: RwSignal::new(false),
            inner_ipv6: RwSignal::new(false),
            geneve_options: RwSignal::new("0".to_string()),
            configured: RwSignal::new(String::new()),
        }
    }
}

/// The result rows' hooks, in `tools::mtu_rows` order.
const MTU_HOOKS: [&str; 5] = [
    "mtu-pod",
    "mtu-overhead",
    "mtu-mss",
    "mtu-ping-node",
    "mtu-ping-pod",
];

#[component]
pub fn Mtu(state: MtuState, note: RwSignal<String>) -> impl IntoView {
    let s = state;
    let answer = move || {
        tools::mtu(&tools::MtuInput {
            underlay: s.underlay.get(),
            encap: s.encap.get(),
            underlay_ipv6: s.underlay_ipv6.get(),
            inner_ipv6: s.inner_ipv6.get(),
            geneve_options: s.geneve_options.get(),
            configured: s.configured.get(),
        })
    };
    let markdown = Memo::new(move |_| {
        answer()
            .map(|a| tools::mtu_markdown(&a))
            .unwrap_or_default()
    });
    let hooks = FindingHooks {
        card: "mtu-finding",
        id: "mtu-finding-id",
        link_lines: false,
    };

    view! {
        <p class="tagline">
            "The pod MTU an overlay leaves, the TCP MSS, and the don't-fragment pings that "
            "prove the path."
        </p>
        {copy_bar(markdown, note)}
        <section class="tool">
            <h2>"Overlay MTU"</h2>
            <div class="fields">
                {field("Underlay MTU", "mtu-underlay", s.underlay, "1500")}
                {select("Encapsulation", "mtu-encap", s.encap, tools::ENCAPS)}
                <label class="field">
                    <span>"Geneve options (bytes)"</span>
                    <input
                        type="text"
                        data-testid="mtu-geneve"
                        autocomplete="off"
                        placeholder="0"
                        prop:disabled=move || s.encap.get() != "geneve"
                        prop:value=move || s.geneve_options.get()
                        on:input=move |ev| s.geneve_options.set(event_target_value(&ev))
                    />
                </label>
                {field("Configured pod MTU", "mtu-configured", s.configured, "optional, to check")}
            </div>
            <div class="fields">
                {checkbox("IPv6 underlay", "mtu-underlay-ipv6", s.underlay_ipv6)}
                {checkbox("IPv6 pods", "mtu-inner-ipv6", s.inner_ipv6)}
            </div>
            {move || match answer() {
                Err(e) => error_view(e, "mtu-error"),
                Ok(a) => {
                    let rows = tools::mtu_rows(&a.plan)
                        .into_iter()
                        .zip(MTU_HOOKS)
                        .map(|((k, v), testid)| {
                            view! {
                                <tr>
                                    <th scope="row">{k}</th>
                                    <td><code data-testid=testid>{v}</code></td>
                                </tr>
                            }
                        })
                        .collect_view();
                    let steps = a
                        .plan
                        .steps
                        .iter()
                        .map(|step| view! { <li data-testid="mtu-step">{step.clone()}</li> })
                        .collect_view();
                    let warning = a.mismatch.as_ref().map(|f| {
                        view! {
                            <div class="warning" role="alert" data-testid="mtu-warning">
                                <p>
                                    <b>"The configured MTU is too big. "</b>
                                    {f.summary.clone()}
                                </p>
                            </div>
                            {findings_list(std::slice::from_ref(f), hooks, note)}
                        }
                    });
                    view! {
                        {warning}
                        <table class="kv" data-testid="mtu-result">
                            <tbody>{rows}</tbody>
                        </table>
                        <h3>"Arithmetic"</h3>
                        <ol class="steps" data-testid="mtu-steps">{steps}</ol>
                    }
                        .into_any()
                }
            }}
        </section>
        {markdown_view(markdown)}
    }
}

// ---------------------------------------------------------------------------------------
// DNS

#[derive(Clone, Copy)]
pub struct DnsState {
    name: RwSignal<String>,
    namespace: RwSignal<String>,
    domain: RwSignal<String>,
    ndots: RwSignal<String>,
    search: RwSignal<String>,
    resolv: RwSignal<String>,
    libc: RwSignal<String>,
    family: RwSignal<String>,
}

impl DnsState {
    pub fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_string());
        Self {
            name: s(""),
            namespace: s("default"),
            domain: s("cluster.local"),
            ndots: s("5"),
            search: s(""),
            resolv: s(""),
            libc: s("glibc"),
            family: s("both"),
        }
    }
}

const LIBCS: &[(&str, &str)] = &[
    ("glibc", "glibc (Debian, Ubuntu, RHEL, distroless)"),
    ("musl", "musl (Alpine, busybox)"),
];

const FAMILIES: &[(&str, &str)] = &[
    ("both", "A and AAAA"),
    ("a", "A only"),
    ("aaaa", "AAAA only"),
];

#[component]
pub fn Dns(state: DnsState, note: RwSignal<String>) -> impl IntoView {
    let s = state;
    let report = move || {
        let name = s.name.get();
        (!name.trim().is_empty()).then(|| {
            tools::dns(&tools::DnsInput {
                name,
                namespace: s.namespace.get(),
                domain: s.domain.get(),
                ndots: s.ndots.get(),
                search: s.search.get(),
                resolv: s.resolv.get(),
                libc: s.libc.get(),
                family: s.family.get(),
            })
        })
    };
    let markdown = Memo::new(move |_| {
        report()
            .and_then(Result::ok)
            .map(|r| tools::dns_markdown(&r))
            .unwrap_or_default()
    });
    let from_resolv = move || !s.resolv.get().trim().is_empty();

    view! {
        <p class="tagline">
            "The exact names a pod's resolver asks for, in order, and how many queries a "
            "lookup costs."
        </p>
        {copy_bar(markdown, note)}
        <section class="tool">
            <h2>"DNS search expansion"</h2>
            <div class="fields">
                {field("Name", "dns-name", s.name, "google.com")}
                {field("Namespace", "dns-namespace", s.namespace, "default")}
                {field("Cluster domain", "dns-domain", s.domain, "cluster.local")}
                {field("ndots", "dns-ndots", s.ndots, "5")}
                {field("Search (replaces the namespace's)", "dns-search", s.search, "optional")}
                {select("libc", "dns-libc", s.libc, LIBCS)}
                {select("Asks for", "dns-family", s.family, FAMILIES)}
            </div>
            <label class="field wide">
                <span>"Or paste the pod's /etc/resolv.conf (its search and ndots win)"</span>
                <textarea
                    class="short"
                    data-testid="dns-resolv"
                    spellcheck="false"
                    placeholder="search shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5"
                    prop:value=move || s.resolv.get()
                    on:input=move |ev| s.resolv.set(event_target_value(&ev))
                ></textarea>
            </label>
            {move || from_resolv().then(|| hint("Using the pasted resolv.conf's search list and ndots."))}
            {move || match report() {
                None => hint("Type a name to see what the resolver asks for."),
                Some(Err(e)) => error_view(e, "dns-error"),
                Some(Ok(r)) => {
                    let tries = r
                        .tries
                        .iter()
                        .map(|t| view! { <li data-testid="dns-try"><code>{t.clone()}</code></li> })
                        .collect_view();
                    let fixes = r
                        .fixes
                        .iter()
                        .map(|f| view! { <li data-testid="dns-fix">{f.clone()}</li> })
                        .collect_view();
                    view! {
                        <p data-testid="dns-head">{tools::dns_head(&r)}</p>
                        <ol class="tries" data-testid="dns-tries">{tries}</ol>
                        <p data-testid="dns-counts">{tools::dns_counts(&r)}</p>
                        <ul class="fixes">{fixes}</ul>
                    }
                        .into_any()
                }
            }}
        </section>
        {markdown_view(markdown)}
    }
}

// ---------------------------------------------------------------------------------------
// Policy

#[derive(Clone, Copy)]
pub struct PolicyState {
    paste: RwSignal<String>,
    /// Opened or dropped files: `(name, text)`.
    files: RwSignal<Vec<(String, String)>>,
    analysis: RwSignal<Option<Arc<PolicyView>>>,
    /// The clicked cell: (source, destination) workload indices.
    selected: RwSignal<Option<(usize, usize)>>,
    port: RwSignal<String>,
    pending: StoredValue<Option<TimeoutHandle>>,
}

impl PolicyState {
    pub fn new() -> Self {
        Self {
            paste: RwSignal::new(String::new()),
            files: RwSignal::new(Vec::new()),
            analysis: RwSignal::new(None),
            selected: RwSignal::new(None),
            port: RwSignal::new(String::new()),
            pending: StoredValue::new(None),
        }
    }

    fn cancel_pending(self) {
        if let Some(handle) = self.pending.get_value() {
            handle.clear();
        }
        self.pending.set_value(None);
    }

    fn analyse(self) {
        self.cancel_pending();
        let paste = self.paste.get_untracked();
        let mut manifests = Vec::new();
        if !paste.trim().is_empty() {
            manifests.push(Manifest {
                name: "paste.yaml".to_string(),
                text: paste,
            });
        }
        for (name, text) in self.files.get_untracked() {
            manifests.push(Manifest { name, text });
        }
        if manifests.is_empty() {
            self.analysis.set(None);
            self.selected.set(None);
            return;
        }
        let view = tools::policy_view(manifests);
        // Keep the clicked cell while the same workloads are there.
        let same = self
            .analysis
            .get_untracked()
            .is_some_and(|old| old.workloads == view.workloads);
        if !same {
            self.selected.set(None);
        }
        self.analysis.set(Some(Arc::new(view)));
    }

    fn schedule(self) {
        self.cancel_pending();
        if let Ok(handle) = set_timeout_with_handle(move || self.analyse(), POLICY_DEBOUNCE) {
            self.pending.set_value(Some(handle));
        }
    }

    /// Read the files (each YAML or JSON, several documents each) and analyse them all.
    pub fn add_files(self, files: Vec<web_sys::File>, note: RwSignal<String>) {
        spawn_local(async move {
            let mut read = Vec::new();
            let mut problems = Vec::new();
            for file in files {
                match browser::read_text(&file).await {
                    Ok(text) => read.push((file.name(), text)),
                    Err(problem) => problems.push(problem),
                }
            }
            let names: Vec<String> = read.iter().map(|(n, _)| n.clone()).collect();
            self.files.update(|f| f.extend(read));
            let mut message = if names.is_empty() {
                String::new()
            } else {
                format!("Read {}.", names.join(", "))
            };
            for p in problems {
                message.push(' ');
                message.push_str(&p);
                message.push('.');
            }
            note.set(message.trim().to_string());
            self.analyse();
        });
    }
}

#[component]
pub fn Policy(state: PolicyState, note: RwSignal<String>) -> impl IntoView {
    let s = state;
    let verdict = move || {
        let (src, dst) = s.selected.get()?;
        let view = s.analysis.get()?;
        Some(tools::policy_explain(&view, src, dst, &s.port.get()))
    };
    let markdown = Memo::new(move |_| {
        s.analysis
            .get()
            .map(|view| {
                let v = verdict().and_then(Result::ok);
                tools::policy_markdown(&view, v.as_ref())
            })
            .unwrap_or_default()
    });
    let on_pick = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(files) = input.files() {
            s.add_files(browser::file_list(&files), note);
        }
        input.set_value("");
    };
    let files = move || {
        s.files
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (name, text))| {
                view! {
                    <li data-testid="policy-file-item">
                        <code>{name}</code>
                        {format!(" ({} lines) ", text.lines().count())}
                        <button on:click=move |_| {
                            s.files
                                .update(|f| {
                                    if i < f.len() {
                                        f.remove(i);
                                    }
                                });
                            s.analyse();
                        }>"Remove"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let hooks = FindingHooks {
        card: "policy-finding",
        id: "policy-finding-id",
        link_lines: false,
    };

    view! {
        <p class="tagline">
            "NetworkPolicy manifests in, the connectivity they allow out: who may talk to "
            "whom on which ports, why, and the mistakes that silently deny."
        </p>
        <section class="input">
            <label for="policy-paste">"Manifests (YAML or JSON; Namespaces, workloads, Services, NetworkPolicies)"</label>
            <textarea
                id="policy-paste"
                data-testid="policy-paste"
                spellcheck="false"
                wrap="off"
                autocomplete="off"
                placeholder="Paste manifests (separate documents with ---), or open or drop files"
                prop:value=move || s.paste.get()
                on:input=move |ev| {
                    s.paste.set(event_target_value(&ev));
                    s.schedule();
                }
            ></textarea>
            <div class="actions">
                <button
                    data-testid="policy-example"
                    on:click=move |_| {
                        s.files.set(Vec::new());
                        s.paste.set(tools::policy_example());
                        s.analyse();
                    }
                >
                    "Example"
                </button>
                <label class="file">
                    "Open files… "
                    <input
                        type="file"
                        multiple
                        accept=".yaml,.yml,.json,text/yaml,application/json"
                        data-testid="policy-file"
                        on:change=on_pick
                    />
                </label>
                <button
                    data-testid="policy-clear"
                    on:click=move |_| {
                        s.files.set(Vec::new());
                        s.paste.set(String::new());
                        s.analyse();
                    }
                >
                    "Clear"
                </button>
            </div>
            <ul class="files">{files}</ul>
        </section>
        {copy_bar(markdown, note)}
        {move || {
            s.analysis
                .get()
                .map(|view| {
                    let problems = view
                        .problems
                        .iter()
                        .map(|p| view! { <li data-testid="policy-problem">{p.clone()}</li> })
                        .collect_view();
                    let summary = format!(
                        "{} workloads, {} policies, {} findings{}.",
                        view.model.workloads.len(),
                        view.model.policies.len(),
                        view.findings.len(),
                        if view.clipped {
                            format!("; the matrix shows the first {}", tools::MAX_MATRIX)
                        } else {
                            String::new()
                        },
                    );
                    view! {
                        <ul class="errors" role="alert">{problems}</ul>
                        <p class="summary" data-testid="policy-summary">{summary}</p>
                        {matrix(&view, s)}
                        <div class="side-by-side">
                            <section>
                                <h2>"Why"</h2>
                                <label class="field">
                                    <span>"Port (PROTO/PORT)"</span>
                                    <input
                                        type="text"
                                        data-testid="policy-port"
                                        spellcheck="false"
                                        autocomplete="off"
                                        placeholder="TCP/5678"
                                        prop:value=move || s.port.get()
                                        on:input=move |ev| s.port.set(event_target_value(&ev))
                                    />
                                </label>
                                {move || match verdict() {
                                    None => hint("Click a cell of the matrix to see why."),
                                    Some(Err(e)) => error_view(e, "policy-error"),
                                    Some(Ok(v)) => {
                                        let lines = v
                                            .explanation
                                            .iter()
                                            .skip(1)
                                            .map(|l| {
                                                view! {
                                                    <li class:sub=l.starts_with("  ")>
                                                        {l.trim_start().to_string()}
                                                    </li>
                                                }
                                            })
                                            .collect_view();
                                        view! {
                                            <div
                                                class="verdict"
                                                class:allow=v.allowed
                                                class:deny=!v.allowed
                                                data-testid="policy-explain"
                                            >
                                                <p class="headline">
                                                    {v.explanation.first().cloned().unwrap_or_default()}
                                                </p>
                                                <ul>{lines}</ul>
                                            </div>
                                        }
                                            .into_any()
                                    }
                                }}
                            </section>
                            <section>
                                <h2>"Lint"</h2>
                                {if view.findings.is_empty() {
                                    view! {
                                        <p class="ok">"No findings: nothing here silently denies."</p>
                                    }
                                        .into_any()
                                } else {
                                    findings_list(&view.findings, hooks, note).into_any()
                                }}
                            </section>
                        </div>
                    }
                })
        }}
        {markdown_view(markdown)}
    }
}

/// The workload × workload matrix (rows: source, columns: destination), then the
/// connections to and from IP ranges outside the cluster.
fn matrix(view: &PolicyView, s: PolicyState) -> impl IntoView + use<> {
    if view.workloads.is_empty() {
        return view! {
            <p class="hint" data-testid="policy-matrix-empty">
                "No workloads (Deployments, StatefulSets, DaemonSets, Pods …) in these manifests."
            </p>
        }
        .into_any();
    }
    let name = |i: usize| view.workloads.get(i).cloned().unwrap_or_default();
    let heads = view
        .workloads
        .iter()
        .map(|w| view! { <th scope="col"><code>{w.clone()}</code></th> })
        .collect_view();
    let rows = view
        .cells
        .iter()
        .enumerate()
        .map(|(src, row)| {
            let cells = row
                .iter()
                .map(|c| {
                    let (from, to, probe) = (c.src, c.dst, c.probe.clone());
                    let allowed = c.allowed();
                    let text = if allowed {
                        c.ports.clone()
                    } else {
                        "✕".to_string()
                    };
                    let title = format!(
                        "{} → {}: {}",
                        name(from),
                        name(to),
                        if allowed { c.ports.as_str() } else { "denied" }
                    );
                    view! {
                        <td
                            data-testid="policy-cell"
                            data-src=name(from)
                            data-dst=name(to)
                            data-allowed=allowed.to_string()
                            class:allow=allowed
                            class:deny=!allowed
                            class:selected=move || s.selected.get() == Some((from, to))
                        >
                            <button
                                title=title
                                on:click=move |_| {
                                    s.port.set(probe.clone());
                                    s.selected.set(Some((from, to)));
                                }
                            >
                                {text}
                            </button>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row"><code>{name(src)}</code></th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let external = (!view.external.is_empty()).then(|| {
        let items = view
            .external
            .iter()
            .map(|l| view! { <li data-testid="policy-external"><code>{l.clone()}</code></li> })
            .collect_view();
        view! {
            <h3>"To and from outside the cluster"</h3>
            <ul class="external">{items}</ul>
        }
    });
    view! {
        <h2>"Who may connect"</h2>
        <p class="hint">"Rows are sources, columns destinations; ✕ is denied. Click a cell to see why."</p>
        <div class="matrix-wrap">
            <table class="matrix" data-testid="policy-matrix">
                <thead>
                    <tr>
                        <th>"from ↓ to →"</th>
                        {heads}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {external}
    }
    .into_any()
}
