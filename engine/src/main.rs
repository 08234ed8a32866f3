//! `netdoc`: the command-line front end. Arguments become a validated [`Config`] before
//! anything runs; exit codes are 0 (nothing found), 1 (findings), 2 (error); a closed
//! pipe ends quietly with 0.

use clap::{Parser, Subcommand, ValueEnum};
use netdoc::report::Report;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// Diagnose Kubernetes networking from pasted terminal output — no cluster access.
#[derive(Debug, Parser)]
#[command(name = "netdoc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Diagnose pasted outputs (files, or standard input with `-` or no file).
    Diagnose {
        /// Files holding pasted outputs; `-` or none reads standard input.
        files: Vec<String>,
        /// Output format. Default: text on a terminal, markdown when piped.
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
        /// Diagnose the built-in example (the broken-net lab) instead of input.
        #[arg(long, conflicts_with = "files")]
        example: bool,
    },
    /// Parse outputs and print the records as JSON.
    Parse {
        /// File to parse; `-` or none reads standard input.
        file: Option<String>,
        /// Parse the whole input as this kind instead of detecting (see --list).
        #[arg(long = "as", value_name = "KIND")]
        kind: Option<String>,
        /// List the parser kinds and the commands each reads.
        #[arg(long)]
        list: bool,
    },
    /// Subnet calculator: addresses, usable hosts and masks of IPv4/IPv6 networks; split,
    /// size for N hosts, overlaps, containment, ranges to CIDRs, summarize.
    #[command(
        after_help = "Examples:\n  netdoc cidr 10.244.0.0/16\n  netdoc cidr 10.0.0.7 255.255.255.0\n  netdoc cidr 10.244.0.0/16 --split 24 --limit 4\n  netdoc cidr --hosts 500\n  netdoc cidr --overlap 10.0.0.0/8 10.96.0.0/12 172.17.0.0/16\n  netdoc cidr 10.96.0.0/12 --contains 10.96.0.10 10.244.1.5\n  netdoc cidr 10.0.0.5-10.0.0.20\n  netdoc cidr --summarize 10.0.0.0/24 10.0.1.0/24\n\nUsable hosts follow Python's ipaddress hosts(): IPv4 /31 and /32 count every address,\nother IPv4 networks exclude network and broadcast; IPv6 excludes only the\nSubnet-Router anycast (network) address, except /127 and /128."
    )]
    #[command(args_conflicts_with_subcommands = true)]
    Cidr {
        #[command(subcommand)]
        plan: Option<CidrCommand>,
        /// Networks (`10.0.0.0/16`, `10.0.0.5/24`, `10.0.0.0 255.255.0.0`, `2001:db8::/48`)
        /// or one address range `A-B`.
        networks: Vec<String>,
        /// List the subnets of this prefix length.
        #[arg(long, value_name = "PREFIX")]
        split: Option<u8>,
        /// With --split: list at most this many subnets (the count is always given).
        #[arg(long, default_value_t = 256)]
        limit: usize,
        /// The smallest network (longest prefix) with at least N usable hosts.
        #[arg(long, value_name = "N")]
        hosts: Option<u128>,
        /// With --hosts: size an IPv6 network.
        #[arg(long)]
        v6: bool,
        /// Every overlapping pair among the networks, and the range they share.
        #[arg(long)]
        overlap: bool,
        /// Which of the networks contain these addresses.
        #[arg(long, value_name = "ADDR", num_args = 1..)]
        contains: Vec<String>,
        /// The fewest CIDR blocks that cover the networks exactly.
        #[arg(long)]
        summarize: bool,
        /// Output format (default: text).
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
    },
    /// Overlay MTU: the largest pod MTU a tunnel leaves, the TCP MSS, and the
    /// don't-fragment ping sizes that prove the path — with the arithmetic.
    #[command(
        after_help = "Examples:\n  netdoc mtu --underlay 1500 --encap vxlan\n  netdoc mtu --underlay 9001 --encap wireguard --pod-mtu 8981\n  netdoc mtu --underlay 1500 --encap geneve --geneve-options 8 --underlay-ipv6"
    )]
    Mtu {
        /// The node interface MTU (eth0/ens5), e.g. 1500, or 9001 on AWS.
        #[arg(long, value_name = "BYTES", default_value_t = 1500)]
        underlay: u32,
        /// none, vxlan, geneve, ipip, wireguard, gre.
        #[arg(long, value_name = "KIND", default_value = "vxlan")]
        encap: String,
        /// Nodes talk over IPv6 (40-byte outer header).
        #[arg(long)]
        underlay_ipv6: bool,
        /// Pods talk IPv6 (MSS and ping sizes for IPv6).
        #[arg(long)]
        inner_ipv6: bool,
        /// Geneve option bytes (a multiple of 4).
        #[arg(long, value_name = "BYTES", default_value_t = 0)]
        geneve_options: u32,
        /// The MTU the pods or the CNI actually use: checked against the largest safe one.
        #[arg(long, value_name = "BYTES")]
        pod_mtu: Option<u32>,
        /// Output format (default: text).
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
    },
    /// DNS calculators.
    Dns {
        #[command(subcommand)]
        action: DnsAction,
    },
    /// NetworkPolicy analysis of manifests: the connectivity they allow, one flow's
    /// verdict with its reasons, and lint findings with runbooks.
    #[command(
        after_help = "Examples:\n  netdoc policy list manifests/\n  netdoc policy list k8s/ --format json\n  netdoc policy eval k8s/ --src shop/frontend --dst shop/backend --port TCP/8080 --explain\n  netdoc policy lint k8s/ --format md\n\nPATH is a file or a folder (read recursively: .yaml, .yml, .json).\nexit codes: list 0; eval 0 allowed, 1 denied; lint 0 clean, 1 findings; 2 error."
    )]
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Print a shell script that gathers the whole evidence bundle for one Service
    /// (objects, logs, the client pod's view, and with `--node` the node's datapath), each
    /// output behind a `$ command` line that `netdoc diagnose` reads back.
    #[command(
        after_help = "Example:\n  netdoc collect --svc web -n shop --pod client-7d9 > collect.sh\n  sh collect.sh > evidence.txt 2>&1\n  sudo sh collect.sh --node >> evidence.txt 2>&1   # on the node\n  netdoc diagnose evidence.txt"
    )]
    Collect {
        /// The Service that does not answer.
        #[arg(long = "svc", value_name = "NAME")]
        service: String,
        /// Its namespace.
        #[arg(long, short = 'n', value_name = "NS", default_value = "default")]
        namespace: String,
        /// A client pod to look from (resolv.conf, lookups, curl, routes, sockets).
        #[arg(long, value_name = "POD")]
        pod: Option<String>,
    },
    /// Browse runbooks.
    Runbook {
        #[command(subcommand)]
        action: RunbookAction,
    },
}

#[derive(Debug, Subcommand)]
enum CidrCommand {
    /// Plan a cluster's addressing: nodes the pod CIDR holds at a node mask, pods per
    /// node, headroom, and every collision with Service, node/VPC and reserved ranges.
    Plan {
        /// The cluster's pod CIDR (`--cluster-cidr`, kubeadm `podSubnet`).
        #[arg(long, value_name = "CIDR")]
        pods: String,
        /// The Service CIDR (`--service-cluster-ip-range`, kubeadm `serviceSubnet`).
        #[arg(long, value_name = "CIDR")]
        services: String,
        /// Each node's pod range prefix (`--node-cidr-mask-size`; 24 for IPv4 by default).
        #[arg(long, value_name = "N")]
        node_mask: u8,
        /// How many nodes the cluster needs.
        #[arg(long, value_name = "N")]
        nodes: Option<u64>,
        /// kubelet maxPods (default 110).
        #[arg(long, value_name = "N")]
        max_pods: Option<u64>,
        /// Node, VPC or peered networks the cluster must not collide with.
        #[arg(long = "node-network", value_name = "CIDR", num_args = 1..)]
        node_networks: Vec<String>,
        /// ClusterIPs to check against the Service CIDR.
        #[arg(long = "service-ip", value_name = "IP", num_args = 1..)]
        service_ips: Vec<String>,
        /// Pod IPs to check against the pod CIDR.
        #[arg(long = "pod-ip", value_name = "IP", num_args = 1..)]
        pod_ips: Vec<String>,
        /// Output format (default: text).
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
    },
}

#[derive(Debug, Subcommand)]
enum DnsAction {
    /// The exact names a pod's resolver asks for NAME, in order, and what it costs.
    #[command(
        after_help = "Examples:\n  netdoc dns expand google.com                  # a pod in `default`, ndots:5\n  netdoc dns expand backend --namespace shop\n  netdoc dns expand api.example.com --resolv resolv.conf --libc musl"
    )]
    Expand {
        name: String,
        /// Read search list and ndots from this resolv.conf (`-` for standard input).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["namespace", "search", "ndots"])]
        resolv: Option<String>,
        /// The pod's namespace: search `NS.svc.DOMAIN svc.DOMAIN DOMAIN` (default: default).
        #[arg(long, value_name = "NS")]
        namespace: Option<String>,
        /// The cluster domain.
        #[arg(long, value_name = "DOMAIN", default_value = "cluster.local")]
        cluster_domain: String,
        /// Search domains, replacing the namespace's.
        #[arg(long, value_name = "DOMAIN", num_args = 1..)]
        search: Vec<String>,
        /// ndots (a pod's default is 5).
        #[arg(long, value_name = "N")]
        ndots: Option<u32>,
        /// The client's C library: glibc or musl (Alpine).
        #[arg(long, value_enum, default_value = "glibc")]
        libc: LibcArg,
        /// Address families asked per name.
        #[arg(long, value_enum, default_value = "both")]
        family: FamilyArg,
        /// Output format (default: text).
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyAction {
    /// Every allowed connection: workload pairs and external IP ranges, like
    /// netpol-analyzer's `list` (`SRC => DST : CONNS`).
    List {
        /// Manifest files or folders.
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long, short = 'f', value_enum, default_value = "txt")]
        format: PolicyFormat,
    },
    /// Is one flow allowed? Exit 0 when allowed, 1 when denied.
    Eval {
        /// Manifest files or folders.
        #[arg(required = true)]
        paths: Vec<String>,
        /// Source: NAMESPACE/WORKLOAD (or NAMESPACE/NAME[KIND], or an IPv4 address).
        #[arg(long, value_name = "NS/WORKLOAD")]
        src: String,
        /// Destination: NAMESPACE/WORKLOAD (or NAMESPACE/NAME[KIND], or an IPv4 address).
        #[arg(long, value_name = "NS/WORKLOAD")]
        dst: String,
        /// PROTO/PORT, e.g. TCP/8080 or UDP/53 (a bare number is TCP).
        #[arg(long, value_name = "PROTO/PORT")]
        port: String,
        /// Name the policies that isolate each side and the rule that allows (or why none).
        #[arg(long)]
        explain: bool,
        #[arg(long, short = 'f', value_enum, default_value = "txt")]
        format: PolicyFormat,
    },
    /// Findings about the policies: default deny, selectors that match nothing, missing
    /// namespace labels, Service-port mismatches, blocked DNS egress.
    Lint {
        /// Manifest files or folders.
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long, short = 'f', value_enum, default_value = "txt")]
        format: PolicyFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PolicyFormat {
    #[value(alias = "text")]
    Txt,
    Json,
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LibcArg {
    Glibc,
    Musl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FamilyArg {
    Both,
    A,
    Aaaa,
}

#[derive(Debug, Subcommand)]
enum RunbookAction {
    /// List every runbook id with its layer and title.
    List,
    /// Render one runbook; `--set service=backend --set namespace=shop` fills it in.
    Show {
        id: String,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Md,
    Json,
}

/// A failure the user can act on.
#[derive(Debug)]
struct UserError(String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One input: its name and text.
struct Input {
    name: String,
    text: String,
}

fn read_input(path: &str) -> Result<Input, UserError> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| UserError(format!("cannot read standard input: {e}")))?;
    } else {
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| UserError(format!("cannot read {path}: {e}")))?;
    }
    // Standard input grows its buffer by doubling: give back what the paste did not fill.
    bytes.shrink_to_fit();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            eprintln!("netdoc: {path}: not valid UTF-8 from line {line} on; undecodable bytes are shown as U+FFFD");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Ok(Input {
        name: if path == "-" {
            "<stdin>".into()
        } else {
            path.to_string()
        },
        text,
    })
}

fn read_inputs(files: &[String]) -> Result<Vec<Input>, UserError> {
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(UserError("no input: give files, pipe a paste into `netdoc diagnose -`, or try `netdoc diagnose --example`".into()));
        }
        return Ok(vec![read_input("-")?]);
    }
    files.iter().map(|f| read_input(f)).collect()
}

/// Join several inputs into one paste; returns it and each input's first line. The first
/// input's buffer is reused, so a single big file is not copied (a 170 MB dump stays one
/// 170 MB string).
fn join(inputs: Vec<Input>) -> (String, Vec<(String, usize)>) {
    let mut text = String::new();
    let mut starts = Vec::new();
    let mut line = 1;
    // Room for everything at once: growing by push would double a 170 MB buffer.
    let total: usize = inputs.iter().map(|i| i.text.len() + 2).sum();
    for i in inputs {
        starts.push((i.name, line));
        line += i.text.lines().count().max(1);
        if text.is_empty() {
            text = i.text;
            text.reserve_exact(total.saturating_sub(text.len()));
        } else {
            text.push_str(&i.text);
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        // A blank line keeps the last output of one file from running into the next.
        text.push('\n');
        line += 1;
    }
    (text, starts)
}

fn run(cli: Cli, out: &mut dyn Write) -> Result<ExitCode, UserError> {
    let io = |e: std::io::Error| UserError(format!("write error: {e}"));
    match cli.command {
        Command::Diagnose {
            files,
            format,
            example,
        } => {
            let (text, starts) = if example {
                (
                    netdoc::EXAMPLE.to_string(),
                    vec![("example".to_string(), 1)],
                )
            } else {
                join(read_inputs(&files)?)
            };
            let report = netdoc::diagnose(&text);
            let format = format.unwrap_or(if std::io::stdout().is_terminal() {
                Format::Text
            } else {
                Format::Md
            });
            // Dropped before the report is written: it is no longer needed.
            drop(text);
            let rendered = match format {
                Format::Json => {
                    // Written as it is serialised: no whole-report string beside it.
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
                    serde_json::to_writer_pretty(&mut w, &report).map_err(|e| {
                        match e.io_error_kind() {
                            Some(_) => io(std::io::Error::from(e)),
                            None => UserError(e.to_string()),
                        }
                    })?;
                    writeln!(w).map_err(io)?;
                    w.flush().map_err(io)?;
                    String::new()
                }
                Format::Md => netdoc::render_markdown(&report),
                Format::Text => render_text(&report, &starts),
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Cidr {
            plan:
                Some(CidrCommand::Plan {
                    pods,
                    services,
                    node_mask,
                    nodes,
                    max_pods,
                    node_networks,
                    service_ips,
                    pod_ips,
                    format,
                }),
            ..
        } => {
            let req = netdoc::calc::plan::PlanRequest {
                pods,
                services,
                node_mask,
                nodes,
                max_pods,
                node_networks,
                service_ips,
                pod_ips,
            };
            let plan = netdoc::calc::plan::plan(&req).map_err(UserError)?;
            let rendered = match format.unwrap_or(Format::Text) {
                Format::Json => {
                    serde_json::to_string_pretty(&plan).map_err(|e| UserError(e.to_string()))?
                        + "\n"
                }
                Format::Md => render_plan(&plan, true),
                Format::Text => render_plan(&plan, false),
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(if plan.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Cidr {
            plan: None,
            networks,
            split,
            limit,
            hosts,
            v6,
            overlap,
            contains,
            summarize,
            format,
        } => {
            let req = netdoc::calc::cidr::Request {
                networks,
                split,
                limit,
                hosts,
                v6,
                overlap,
                contains,
                summarize,
            };
            let value = netdoc::calc::cidr::answer(&req).map_err(UserError)?;
            let rendered = match format.unwrap_or(Format::Text) {
                Format::Json => {
                    serde_json::to_string_pretty(&value).map_err(|e| UserError(e.to_string()))?
                        + "\n"
                }
                Format::Md => render_value_md(&value),
                Format::Text => render_value_text(&value, 0),
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            let overlapping = value
                .get("overlaps")
                .and_then(|o| o.as_array())
                .is_some_and(|o| !o.is_empty());
            Ok(if overlapping {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Mtu {
            underlay,
            encap,
            underlay_ipv6,
            inner_ipv6,
            geneve_options,
            pod_mtu,
            format,
        } => {
            use netdoc::calc::mtu;
            let kind = mtu::Encap::parse(&encap).ok_or_else(|| {
                UserError(format!(
                    "unknown encapsulation `{encap}`: none, vxlan, geneve, ipip, wireguard or gre"
                ))
            })?;
            let plan = mtu::plan(underlay, kind, underlay_ipv6, inner_ipv6, geneve_options)
                .map_err(UserError)?;
            let mut findings = Vec::new();
            if let Some(configured) = pod_mtu.filter(|m| *m > plan.pod_mtu) {
                let mut vars = std::collections::BTreeMap::new();
                vars.insert("pod_mtu".to_string(), configured.to_string());
                vars.insert("safe_mtu".to_string(), plan.pod_mtu.to_string());
                vars.insert("underlay_mtu".to_string(), underlay.to_string());
                vars.insert("encap".to_string(), encap.clone());
                findings.push(netdoc::findings::from_calculation(
                    "mtu-overlay-mismatch",
                    format!("Pods use MTU {configured} but {encap} over a {underlay}-byte underlay leaves {}: packets between {} and {configured} bytes are dropped or fragmented on the way between nodes (small requests work, large responses hang).", plan.pod_mtu, plan.pod_mtu + 1),
                    plan.steps.iter().take(2).cloned().chain(std::iter::once(format!("configured {configured} > {} by {} byte(s)", plan.pod_mtu, configured - plan.pod_mtu))).collect(),
                    vars,
                ));
            }
            let rendered = match format.unwrap_or(Format::Text) {
                Format::Json => {
                    let v = serde_json::json!({"plan": plan, "findings": findings});
                    serde_json::to_string_pretty(&v).map_err(|e| UserError(e.to_string()))? + "\n"
                }
                f => {
                    let md = f == Format::Md;
                    let mut s = String::new();
                    if md {
                        s.push_str("# Overlay MTU\n\n");
                    }
                    for step in &plan.steps {
                        s.push_str(&format!("{}{step}\n", if md { "- " } else { "" }));
                    }
                    for f in &findings {
                        s.push_str(&format!(
                            "\n{} {}: {}\n",
                            f.severity.to_uppercase(),
                            f.id,
                            f.summary
                        ));
                        if md {
                            s.push_str(&format!("\n{}", netdoc::runbook_markdown(f)));
                        }
                    }
                    s
                }
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Dns {
            action:
                DnsAction::Expand {
                    name,
                    resolv,
                    namespace,
                    cluster_domain,
                    search,
                    ndots,
                    libc,
                    family,
                    format,
                },
        } => {
            use netdoc::calc::dns;
            let (search, ndots) = match resolv {
                Some(path) => {
                    let input = read_input(&path)?;
                    dns::from_resolv_conf(&input.text)
                        .map_err(|e| UserError(format!("{}: {e}", input.name)))?
                }
                None => (
                    if search.is_empty() {
                        dns::pod_search(namespace.as_deref().unwrap_or("default"), &cluster_domain)
                    } else {
                        search
                    },
                    ndots.unwrap_or(5),
                ),
            };
            if name.trim().is_empty() || name.len() > 253 {
                return Err(UserError("NAME must be 1 to 253 characters".into()));
            }
            let libc = match libc {
                LibcArg::Glibc => dns::Libc::Glibc,
                LibcArg::Musl => dns::Libc::Musl,
            };
            let family = match family {
                FamilyArg::Both => dns::Family::Both,
                FamilyArg::A => dns::Family::A,
                FamilyArg::Aaaa => dns::Family::Aaaa,
            };
            let r = dns::report(&name, &search, ndots, libc, family);
            let rendered = match format.unwrap_or(Format::Text) {
                Format::Json => {
                    serde_json::to_string_pretty(&r).map_err(|e| UserError(e.to_string()))? + "\n"
                }
                Format::Md | Format::Text => render_expansion(&r, format == Some(Format::Md)),
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse { file, kind, list } => {
            if list {
                for p in netdoc::parse::ALL {
                    writeln!(
                        out,
                        "{:<28} {}  [{}]",
                        p.kind,
                        p.title,
                        p.commands.join("; ")
                    )
                    .map_err(io)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(k) = &kind {
                if netdoc::parse::registry::info(k).is_none() {
                    return Err(UserError(format!(
                        "unknown kind `{k}`; `netdoc parse --list` shows them"
                    )));
                }
            }
            let (text, _) = join(read_inputs(&file.into_iter().collect::<Vec<_>>())?);
            // Written while the parser reads, a chunk of records at a time: no records,
            // JSON tree or whole-output string beside the input.
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            let written = match kind {
                Some(k) => {
                    let seg = netdoc::split::Segment::new(text.trim_end_matches('\n'), 1);
                    netdoc::parse::json::write_as(&k, &seg, &mut w)
                }
                None => netdoc::parse::json::write_all(&text, &mut w),
            };
            written.map_err(|e| match e.io_error_kind() {
                Some(_) => io(std::io::Error::from(e)),
                None => UserError(e.to_string()),
            })?;
            writeln!(w).map_err(io)?;
            w.flush().map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy { action } => run_policy(action, out),
        Command::Collect {
            service,
            namespace,
            pod,
        } => {
            for (what, v) in [
                ("--svc", Some(&service)),
                ("-n", Some(&namespace)),
                ("--pod", pod.as_ref()),
            ] {
                if let Some(v) = v {
                    if !is_k8s_name(v) {
                        return Err(UserError(format!(
                            "{what} {v:?} is not a Kubernetes object name (lower-case letters, digits, '-' and '.', at most 253 characters)"
                        )));
                    }
                }
            }
            let script = netdoc::bundle::collect_script(&netdoc::bundle::CollectRequest {
                service,
                namespace,
                pod,
            });
            out.write_all(script.as_bytes()).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Runbook { action } => match action {
            RunbookAction::List => {
                for f in netdoc::findings::CATALOGUE {
                    writeln!(
                        out,
                        "{:<34} {:<11} {:<9} {}",
                        f.id, f.layer, f.severity, f.title
                    )
                    .map_err(io)?;
                }
                Ok(ExitCode::SUCCESS)
            }
            RunbookAction::Show { id, set } => {
                let mut vars = std::collections::BTreeMap::new();
                for kv in &set {
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| UserError(format!("--set wants KEY=VALUE, got `{kv}`")))?;
                    vars.insert(k.trim().to_string(), v.to_string());
                }
                let text = netdoc::runbook_for(&id, &vars).map_err(UserError)?;
                out.write_all(text.as_bytes()).map_err(io)?;
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

/// Manifests under the paths: files as given, folders recursively (.yaml, .yml, .json).
fn policy_manifests(paths: &[String]) -> Result<Vec<netdoc::policy::Manifest>, UserError> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), UserError> {
        let rd = std::fs::read_dir(dir)
            .map_err(|e| UserError(format!("cannot read {}: {e}", dir.display())))?;
        let mut entries: Vec<std::path::PathBuf> =
            rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
            {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        let path = std::path::Path::new(p);
        if path.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.to_path_buf());
        }
    }
    if files.is_empty() {
        return Err(UserError(format!(
            "no .yaml, .yml or .json files under {}",
            paths.join(" ")
        )));
    }
    files
        .iter()
        .map(|f| {
            let input = read_input(&f.display().to_string())?;
            Ok(netdoc::policy::Manifest {
                name: input.name,
                text: input.text,
            })
        })
        .collect()
}

fn run_policy(action: PolicyAction, out: &mut dyn Write) -> Result<ExitCode, UserError> {
    let io = |e: std::io::Error| UserError(format!("write error: {e}"));
    let paths = match &action {
        PolicyAction::List { paths, .. }
        | PolicyAction::Eval { paths, .. }
        | PolicyAction::Lint { paths, .. } => paths.clone(),
    };
    let model = netdoc::policy::load(policy_manifests(&paths)?);
    for p in &model.problems {
        eprintln!("netdoc: {}:{}: {}", p.file, p.line, p.message);
    }
    match action {
        PolicyAction::List { format, .. } => {
            let r = netdoc::policy::list(&model);
            if r.truncated {
                eprintln!(
                    "netdoc: more than {} pairs; only the first {} were evaluated",
                    netdoc::policy::MAX_PAIRS,
                    r.pairs_evaluated
                );
            }
            let rendered = match format {
                PolicyFormat::Json => json(&r.connections)? + "\n",
                PolicyFormat::Txt => r
                    .connections
                    .iter()
                    .map(|c| format!("{}\n", c.line))
                    .collect(),
                PolicyFormat::Md => {
                    let mut s = format!(
                        "# Allowed connections\n\n{} workloads, {} policies, {} connections.\n\n| source | destination | connections |\n|---|---|---|\n",
                        model.workloads.len(),
                        model.policies.len(),
                        r.connections.len()
                    );
                    for c in &r.connections {
                        let (src, rest) = c.line.split_once(" => ").unwrap_or((&c.line, ""));
                        let (dst, conns) = rest.split_once(" : ").unwrap_or((rest, ""));
                        s.push_str(&format!("| `{src}` | `{dst}` | {conns} |\n"));
                    }
                    s
                }
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyAction::Eval {
            src,
            dst,
            port,
            explain,
            format,
            ..
        } => {
            let v = netdoc::policy::eval(&model, &src, &dst, &port).map_err(UserError)?;
            let rendered = match format {
                PolicyFormat::Json => json(&v)? + "\n",
                PolicyFormat::Txt if !explain => {
                    v.explanation.first().cloned().unwrap_or_default() + "\n"
                }
                PolicyFormat::Txt => v.explanation.join("\n") + "\n",
                PolicyFormat::Md => {
                    let mut s = format!(
                        "# {}\n\n",
                        v.explanation.first().cloned().unwrap_or_default()
                    );
                    if explain {
                        for l in v.explanation.iter().skip(1) {
                            let depth = if l.starts_with("  ") { "  " } else { "" };
                            s.push_str(&format!("{depth}- {}\n", l.trim_start()));
                        }
                    }
                    s
                }
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(if v.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        PolicyAction::Lint { format, .. } => {
            let findings = netdoc::policy::lint(&model);
            let rendered = match format {
                PolicyFormat::Json => {
                    json(&serde_json::json!({"findings": findings, "problems": model.problems}))?
                        + "\n"
                }
                PolicyFormat::Txt | PolicyFormat::Md => {
                    let md = format == PolicyFormat::Md;
                    let mut s = String::new();
                    if md {
                        s.push_str("# netdoc policy lint\n\n");
                    }
                    if findings.is_empty() {
                        s.push_str(&format!(
                            "No findings ({} policies, {} workloads).\n",
                            model.policies.len(),
                            model.workloads.len()
                        ));
                    }
                    for (i, f) in findings.iter().enumerate() {
                        if md {
                            s.push_str(&format!(
                                "## {}. `{}` — {}\n\n{}\n\n",
                                i + 1,
                                f.id,
                                f.title,
                                f.summary
                            ));
                            s.push_str("```text\n");
                            for e in &f.evidence {
                                s.push_str(&format!("{:>5} │ {}\n", e.line, e.text));
                            }
                            s.push_str("```\n\n");
                        } else {
                            s.push_str(&format!(
                                "{}. [{}] {} — {}\n   {}\n",
                                i + 1,
                                f.severity,
                                f.id,
                                f.title,
                                f.summary
                            ));
                            for e in &f.evidence {
                                s.push_str(&format!("   {:>5} │ {}\n", e.line, e.text));
                            }
                            s.push_str(&format!(
                                "   runbook: netdoc runbook show {}\n\n",
                                f.runbook
                            ));
                        }
                    }
                    if md && !findings.is_empty() {
                        s.push_str("---\n\n# Runbooks\n\n");
                        let mut seen: Vec<(String, std::collections::BTreeMap<String, String>)> =
                            Vec::new();
                        for f in &findings {
                            let k = (f.id.clone(), f.vars.clone());
                            if !seen.contains(&k) {
                                seen.push(k);
                                s.push_str(&netdoc::runbook_markdown(f));
                                s.push('\n');
                            }
                        }
                    }
                    s
                }
            };
            out.write_all(rendered.as_bytes()).map_err(io)?;
            Ok(if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// Pretty JSON of a policy answer.
fn json<T: serde::Serialize>(v: &T) -> Result<String, UserError> {
    serde_json::to_string_pretty(v).map_err(|e| UserError(e.to_string()))
}

/// Map a whole-input line to `file:line` when several files were joined.
fn place(line: usize, starts: &[(String, usize)]) -> String {
    if starts.len() <= 1 {
        return format!("line {line}");
    }
    match starts.iter().rev().find(|(_, s)| *s <= line) {
        Some((name, s)) => format!("{name}:{}", line - s + 1),
        None => format!("line {line}"),
    }
}

fn render_text(r: &Report, starts: &[(String, usize)]) -> String {
    let mut s = String::new();
    s.push_str("Segments\n");
    for seg in &r.segments {
        let kind = seg.kind.as_deref().unwrap_or("unrecognized");
        s.push_str(&format!(
            "  [{}] {:<28} lines {}-{}  {}",
            seg.index, kind, seg.lines[0], seg.lines[1], seg.status
        ));
        if let Some(c) = &seg.command {
            s.push_str(&format!("  $ {c}"));
        }
        s.push('\n');
        for p in seg.problems.iter().take(5) {
            s.push_str(&format!(
                "      ! {}: {}\n",
                place(p.line, starts),
                p.message
            ));
        }
    }
    if r.findings.is_empty() {
        s.push_str("\nNo findings.\n");
    } else {
        s.push_str("\nFindings (most likely root cause first)\n");
    }
    for (i, f) in r.findings.iter().enumerate() {
        s.push_str(&format!(
            "\n{}. [{}] {} — {}\n   {}\n",
            i + 1,
            f.severity,
            f.id,
            f.title,
            f.summary
        ));
        for e in &f.evidence {
            if e.line > 0 {
                s.push_str(&format!("   {:>10} │ {}\n", place(e.line, starts), e.text));
            } else {
                s.push_str(&format!("   {:>10} │ {}\n", "calc", e.text));
            }
        }
        if !f.explains.is_empty() {
            s.push_str(&format!("   explains: {}\n", f.explains.join(", ")));
        }
        s.push_str(&format!("   runbook: netdoc runbook show {}\n", f.runbook));
    }
    if !r.missing.is_empty() {
        s.push_str("\nMissing evidence — paste the output of:\n");
        for m in &r.missing {
            s.push_str(&format!("  • {}\n    {}\n", m.question, m.command));
        }
    }
    s
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match run(cli, &mut lock) {
        Ok(code) => {
            if let Err(e) = lock.flush() {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("netdoc: {e}");
                    return ExitCode::from(2);
                }
            }
            code
        }
        Err(UserError(msg)) if msg.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netdoc: {e}");
            ExitCode::from(2)
        }
    }
}

/// A calculator answer as aligned `field  value` lines (nested lists indented).
fn render_value_text(v: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) => {
            let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
            let mut s = String::new();
            for (k, val) in ordered(map) {
                match val {
                    Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
                        s.push_str(&format!("{pad}{k}:\n"));
                        for i in items {
                            s.push_str(&format!("{pad}  {}\n", scalar(i)));
                        }
                    }
                    Value::Array(items) => {
                        s.push_str(&format!(
                            "{pad}{k}:{}\n",
                            if items.is_empty() { " none" } else { "" }
                        ));
                        for i in items {
                            s.push_str(&render_value_text(i, indent + 2));
                            s.push('\n');
                        }
                    }
                    _ => s.push_str(&format!("{pad}{k:<width$}  {}\n", scalar(val))),
                }
            }
            s
        }
        Value::Array(items) => items
            .iter()
            .map(|i| render_value_text(i, indent))
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{pad}{}\n", scalar(other)),
    }
}

/// A calculator answer as markdown tables.
fn render_value_md(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Array(items) if items.iter().all(|i| i.is_object()) && !items.is_empty() => {
            let keys: Vec<&String> = items
                .first()
                .and_then(|i| i.as_object())
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            let mut s = format!(
                "| {} |\n|{}\n",
                keys.iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                "---|".repeat(keys.len())
            );
            for i in items {
                let cells: Vec<String> = keys.iter().map(|k| scalar(&i[k.as_str()])).collect();
                s.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            s
        }
        Value::Object(map) => {
            let mut s = String::from("| field | value |\n|---|---|\n");
            let mut tail = String::new();
            for (k, val) in ordered(map) {
                match val {
                    Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                        tail.push_str(&format!("\n**{k}**\n\n{}", render_value_md(val)));
                    }
                    Value::Array(items) => {
                        let list: Vec<String> =
                            items.iter().map(|i| format!("`{}`", scalar(i))).collect();
                        s.push_str(&format!("| {k} | {} |\n", list.join(", ")));
                    }
                    _ => s.push_str(&format!("| {k} | `{}` |\n", scalar(val))),
                }
            }
            s + &tail
        }
        other => format!("{}\n", scalar(other)),
    }
}

/// A search expansion as text or markdown.
fn render_expansion(r: &netdoc::calc::dns::Report, md: bool) -> String {
    let mut s = String::new();
    let libc = match r.libc {
        netdoc::calc::dns::Libc::Glibc => "glibc",
        netdoc::calc::dns::Libc::Musl => "musl",
    };
    let head = format!(
        "`{}`: {} dot(s), ndots:{}, {libc}, search {}",
        r.name,
        r.dots,
        r.ndots,
        if r.search.is_empty() {
            "(none)".to_string()
        } else {
            r.search.join(" ")
        }
    );
    if md {
        s.push_str(&format!(
            "# DNS search expansion\n\n{head}\n\n| # | name asked |\n|---|---|\n"
        ));
        for (i, t) in r.tries.iter().enumerate() {
            s.push_str(&format!("| {} | `{t}` |\n", i + 1));
        }
        s.push('\n');
    } else {
        s.push_str(&format!("{}\n\n", head.replace('`', "")));
        for (i, t) in r.tries.iter().enumerate() {
            s.push_str(&format!("{:>3}. {t}\n", i + 1));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "{} quer{} per name; {} before the name as typed answers; {} if every name is NXDOMAIN.\n",
        r.queries_per_try,
        if r.queries_per_try == 1 { "y" } else { "ies" },
        r.queries_until_as_typed,
        r.queries_if_nxdomain
    ));
    for f in &r.fixes {
        s.push_str(&format!("{}{f}\n", if md { "- " } else { "fix: " }));
    }
    s
}

/// A cluster plan as text or markdown; markdown appends each finding's runbook.
fn render_plan(p: &netdoc::calc::plan::Plan, md: bool) -> String {
    let mut s = String::new();
    if md {
        s.push_str("# netdoc cluster address plan\n\n| | |\n|---|---|\n");
    }
    let row = |s: &mut String, k: &str, v: String| {
        if md {
            s.push_str(&format!("| {k} | `{v}` |\n"));
        } else {
            s.push_str(&format!("{k:<22} {v}\n"));
        }
    };
    row(
        &mut s,
        "pod CIDR",
        format!("{} ({} addresses)", p.pods.cidr, p.pods.addresses),
    );
    row(
        &mut s,
        "Service CIDR",
        format!("{} ({} ClusterIPs)", p.services.cidr, p.services.hosts),
    );
    row(&mut s, "node mask", format!("/{}", p.node_mask));
    row(&mut s, "nodes the CIDR holds", p.nodes_max.clone());
    if let (Some(n), Some(h)) = (p.nodes, &p.nodes_headroom) {
        row(&mut s, "nodes needed", format!("{n} (headroom {h})"));
    }
    row(&mut s, "addresses per node", p.addresses_per_node.clone());
    row(&mut s, "pod IPs per node", p.pod_ips_per_node.clone());
    row(
        &mut s,
        "pods per node",
        format!("{} (maxPods {})", p.pods_per_node, p.max_pods),
    );
    s.push('\n');
    if p.findings.is_empty() {
        s.push_str("No collisions with the Service, node/VPC or reserved ranges; capacity fits.\n");
        return s;
    }
    for (i, f) in p.findings.iter().enumerate() {
        if md {
            s.push_str(&format!(
                "## {}. `{}` — {}\n\n{}\n\n",
                i + 1,
                f.id,
                f.title,
                f.summary
            ));
            for e in &f.evidence {
                s.push_str(&format!("- calc: {}\n", e.text));
            }
            s.push('\n');
        } else {
            s.push_str(&format!(
                "{:<8} {}  {}\n",
                f.severity.to_uppercase(),
                f.id,
                f.summary
            ));
            for e in &f.evidence {
                s.push_str(&format!("         calc: {}\n", e.text));
            }
        }
    }
    if md {
        s.push_str("---\n\n# Runbooks\n\n");
        let mut seen = Vec::new();
        for f in &p.findings {
            if !seen.contains(&f.id) {
                seen.push(f.id.clone());
                s.push_str(&netdoc::runbook_markdown(f));
                s.push('\n');
            }
        }
    }
    s
}

/// Fields in the order a reader wants them (JSON objects keep them sorted).
fn ordered(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(&String, &serde_json::Value)> {
    const ORDER: &[&str] = &[
        "cidr",
        "range",
        "requested_hosts",
        "version",
        "network",
        "networks",
        "prefix",
        "count",
        "netmask",
        "hostmask",
        "first_address",
        "last_address",
        "broadcast",
        "addresses",
        "hosts",
        "first_host",
        "last_host",
        "address",
        "contained",
    ];
    let mut v: Vec<(&String, &serde_json::Value)> = map.iter().collect();
    v.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    v
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// A DNS-1123 subdomain, as Kubernetes names Services, namespaces and pods.
fn is_k8s_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}
