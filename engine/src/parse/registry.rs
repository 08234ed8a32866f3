//! The one list of parsers. Adding a parser means adding a module under `parse/`, a
//! grammar under `grammar/`, and one line here.

use super::{Chunker, Output, ParserInfo, Problem, Status};
use crate::split::Segment;
use serde::Serialize;

macro_rules! parsers {
    ($($variant:ident => $module:ident),* $(,)?) => {
        /// The records of one segment, tagged with the parser's kind.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(tag = "kind", content = "records", rename_all = "kebab-case")]
        #[non_exhaustive]
        pub enum Records {
            $($variant(Vec<super::$module::Record>),)*
        }

        /// Every parser, in the order detection tries them.
        pub const ALL: &[&ParserInfo] = &[$(&super::$module::INFO),*];

        /// Run the parser of `kind` on `seg`. `None` if no parser has that kind or alias.
        pub fn parse_as(kind: &str, seg: &Segment) -> Option<Parsed> {
            $(
                if super::$module::INFO.kind == kind || super::$module::INFO.aliases.contains(&kind) {
                    let out = super::$module::parse(seg);
                    let n = out.records.len();
                    return Some(Parsed::new(super::$module::INFO.kind, Records::$variant(out.records), n, out.problems));
                }
            )*
            None
        }

        impl Records {
            /// Number of records.
            pub fn len(&self) -> usize {
                match self { $(Records::$variant(r) => r.len(),)* }
            }
            /// True when there are no records.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
            /// Serialise each record as an element of `seq` (for output written while
            /// the parser reads).
            pub fn serialize_each<S: serde::ser::SerializeSeq>(&self, seq: &mut S) -> Result<(), S::Error> {
                match self {
                    $(Records::$variant(v) => {
                        for r in v {
                            seq.serialize_element(r)?;
                        }
                    })*
                }
                Ok(())
            }
        }
    };
}

parsers! {
    KubectlGetSvc => kubectl_get_svc,
    KubectlGetEndpoints => kubectl_get_endpoints,
    KubectlGetEndpointslices => kubectl_get_endpointslices,
    KubectlGetPods => kubectl_get_pods,
    KubectlDescribeSvc => kubectl_describe_svc,
    KubeProxyConfig => kube_proxy_config,
    KubectlGetNodes => kubectl_get_nodes,
    KubectlGetEvents => kubectl_get_events,
    KubectlGetDeploy => kubectl_get_deploy,
    KubectlGetNs => kubectl_get_ns,
    KubectlGetNetpol => kubectl_get_netpol,
    KubectlDescribePod => kubectl_describe_pod,
    KubectlDescribeNode => kubectl_describe_node,
    KubectlDescribeEndpoints => kubectl_describe_endpoints,
    KubectlDescribeNetpol => kubectl_describe_netpol,
    KubectlJsonpath => kubectl_jsonpath,
    // Before k8s-objects: `cat cluster.yml` is an installer's file, not a manifest.
    ClusterConfig => cluster_config,
    K8sObjects => k8s_objects,
    KubeletConfig => kubelet_config,
    ResolvConf => resolv_conf,
    Nslookup => nslookup,
    Dig => dig,
    Curl => curl,
    Wget => wget,
    Nc => nc,
    Telnet => telnet,
    NetErrors => net_errors,
    Ss => ss,
    Netstat => netstat,
    CorednsLog => coredns_log,
    KubeProxyLog => kube_proxy_log,
    KubeletLog => kubelet_log,
    KernelLog => kernel_log,
    KubectlError => kubectl_error,
    IptablesVersion => iptables_version,
    IptablesSave => iptables_save,
    IptablesList => iptables_list,
    IpRoute => ip_route,
    IpRouteGet => ip_route_get,
    IpAddr => ip_addr,
    IpLink => ip_link,
    IpNeigh => ip_neigh,
    IpRule => ip_rule,
    Sysctl => sysctl,
    Ipset => ipset,
    Ipvsadm => ipvsadm,
    Nft => nft,
    Ping => ping,
    Tracepath => tracepath,
    Traceroute => traceroute,
    Mtr => mtr,
    Tcpdump => tcpdump,
    Conntrack => conntrack,
    Host => host,
    Getent => getent,
    EthtoolFeatures => ethtool_features,
    CniConfig => cni_config,
    CniAgentLog => cni_agent_log,
}

/// One segment's parse result: its records ([`Parsed`]), or how many records were handed
/// on while it was read ([`Streamed`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parse<R> {
    pub kind: &'static str,
    pub status: Status,
    pub records: R,
    pub problems: Vec<Problem>,
}

/// A segment parsed whole, its records kept.
pub type Parsed = Parse<Records>;

/// A segment parsed with its records handed on in chunks ([`parse_stream`]).
pub type Streamed = Parse<usize>;

impl<R> Parse<R> {
    /// `count`: how many records `records` stands for.
    fn new(kind: &'static str, records: R, count: usize, problems: Vec<Problem>) -> Parse<R> {
        Parse {
            kind,
            status: Status::of(count, problems.len()),
            records,
            problems,
        }
    }
}

macro_rules! streaming {
    ($($variant:ident => $module:ident),* $(,)?) => {
        /// The kinds whose parsers hand their records on in chunks: the ones big dumps
        /// come in.
        pub const STREAMING: &[&str] = &[$(super::$module::INFO.kind),*];

        fn stream_chunked(
            kind: &str,
            seg: &Segment,
            size: usize,
            sink: &mut dyn FnMut(Records),
        ) -> Option<Streamed> {
            $(
                if super::$module::INFO.kind == kind || super::$module::INFO.aliases.contains(&kind) {
                    let mut out = Output::default();
                    let mut each = |v: Vec<super::$module::Record>| sink(Records::$variant(v));
                    let mut chunks = Chunker::new(size, &mut each);
                    super::$module::read(seg, &mut out, &mut chunks);
                    let records = chunks.finish(&mut out);
                    return Some(Streamed::new(super::$module::INFO.kind, records, records, out.problems));
                }
            )*
            None
        }
    };
}

streaming! {
    KubectlGetSvc => kubectl_get_svc,
    KubectlGetEndpoints => kubectl_get_endpoints,
    KubectlGetEndpointslices => kubectl_get_endpointslices,
    KubectlGetPods => kubectl_get_pods,
    Ss => ss,
    Netstat => netstat,
    IptablesSave => iptables_save,
    IptablesList => iptables_list,
    Ipvsadm => ipvsadm,
    Conntrack => conntrack,
}

/// Run the parser of `kind` on `seg`, handing its records to `sink` in chunks of about
/// `size` as they are read, for the kinds in [`STREAMING`]; any other kind's records
/// come in one call. `sink` is called at least once (with no records for an empty
/// segment). `None` if no parser has that kind or alias.
pub fn parse_stream(
    kind: &str,
    seg: &Segment,
    size: usize,
    sink: &mut dyn FnMut(Records),
) -> Option<Streamed> {
    if let Some(s) = stream_chunked(kind, seg, size, sink) {
        return Some(s);
    }
    let p = parse_as(kind, seg)?;
    let records = p.records.len();
    sink(p.records);
    Some(Streamed::new(p.kind, records, records, p.problems))
}

/// Look a parser up by kind or alias.
pub fn info(kind: &str) -> Option<&'static ParserInfo> {
    ALL.iter()
        .copied()
        .find(|p| p.kind == kind || p.aliases.contains(&kind))
}

/// Unused-output guard so a parser module's `Output` type stays the one in `parse`.
#[allow(dead_code)]
fn _assert_output_type<T>(o: Output<T>) -> Output<T> {
    o
}
