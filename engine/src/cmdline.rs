//! Command lines as pasted: `kubectl get svc -n shop -o wide`, `dig +search api`,
//! `kubectl exec -it pod -- nslookup backend`. Detection and facts read them: the
//! command says what the output is, and kubectl flags say which namespace or selector
//! the rows belong to when the table itself does not.

use serde::Serialize;

/// Programs that print a file as it is: the file's name says where it came from, its
/// content what it is.
pub const FILE_VIEWERS: &[&str] = &["cat", "less", "more", "head", "tail", "bat", "batcat"];

/// One command line, split into words (simple shell quoting understood).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandLine {
    /// The text after the prompt, as pasted.
    pub text: String,
    /// The program name without its directory (`kubectl`, `dig`, `cat`, …), after
    /// unwrapping `sudo`, `kubectl exec … --`, `docker exec … `, `nsenter … --`.
    pub program: String,
    /// The arguments of `program`.
    pub args: Vec<String>,
    /// Set when `program` is kubectl (or oc / k / microk8s kubectl).
    pub kubectl: Option<Kubectl>,
    /// The pod and namespace a command ran in, when it was wrapped in `kubectl exec`.
    pub exec_in: Option<ExecTarget>,
}

/// Where a `kubectl exec … -- cmd` ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecTarget {
    pub pod: Option<String>,
    pub namespace: Option<String>,
}

/// The parts of a kubectl invocation that decide what its output is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Kubectl {
    /// `get`, `describe`, `exec`, `logs`, …
    pub verb: String,
    /// Resource type as typed, normalised to its plural canonical name (`svc` → `services`).
    pub resource: Option<String>,
    /// Object names after the resource (`get svc a b`, `get svc/a`).
    pub names: Vec<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    /// `-o` value: `wide`, `yaml`, `json`, `jsonpath=…`, `name`, …
    pub output: Option<String>,
    /// `-l` / `--selector` value.
    pub selector: Option<String>,
    pub show_labels: bool,
}

const PROGRAM_ALIASES: &[(&str, &str)] = &[
    ("k", "kubectl"),
    ("oc", "kubectl"),
    ("kubectl.exe", "kubectl"),
];

/// Split a command line into words: single and double quotes group, a backslash escapes.
pub fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Parse a command line. Returns `None` for an empty line.
pub fn parse(text: &str) -> Option<CommandLine> {
    let text = text.trim();
    // Only the first command of a pipeline says what the output is; `| grep` keeps its shape.
    let first = text.split(" | ").next().unwrap_or(text);
    let mut words = shell_words(first);
    let mut exec_in = None;
    loop {
        // Strip leading environment assignments and privilege wrappers.
        while let Some(w) = words.first() {
            let b = base_name(w);
            if b == "sudo" || b == "time" || b == "watch" || b == "command" || b == "exec" {
                words.remove(0);
                while words.first().is_some_and(|w| w.starts_with('-')) {
                    words.remove(0);
                }
            } else if w.contains('=') && !w.starts_with('-') && !w.contains('/') {
                words.remove(0);
            } else {
                break;
            }
        }
        let first = words.first()?;
        let mut program = base_name(first).to_string();
        if let Some((_, canon)) = PROGRAM_ALIASES.iter().find(|(a, _)| *a == program) {
            program = canon.to_string();
        }
        if program == "microk8s" && words.get(1).map(String::as_str) == Some("kubectl") {
            words.remove(0);
            program = "kubectl".into();
        }
        let args: Vec<String> = words[1..].to_vec();
        // Unwrap `kubectl exec … -- cmd`, `docker exec … cmd`, `nsenter … -- cmd`.
        if let Some(pos) = args.iter().position(|a| a == "--") {
            let wraps = (program == "kubectl" && args.iter().any(|a| a == "exec" || a == "debug"))
                || program == "nsenter"
                || program == "ip" && args.first().map(String::as_str) == Some("netns");
            if wraps && pos + 1 < args.len() {
                if program == "kubectl" {
                    let k = kubectl(&args[..pos]);
                    exec_in = Some(ExecTarget {
                        pod: k.names.first().cloned().or(k.resource.clone()),
                        namespace: k.namespace,
                    });
                }
                words = args[pos + 1..].to_vec();
                // `sh -c "nslookup x"`: look inside.
                if words.len() == 3 && (words[0].ends_with("sh")) && words[1] == "-c" {
                    words = shell_words(&words[2]);
                }
                continue;
            }
        }
        let kubectl = (program == "kubectl").then(|| kubectl(&args));
        return Some(CommandLine {
            text: text.to_string(),
            program,
            args,
            kubectl,
            exec_in,
        });
    }
}

fn canonical_resource(r: &str) -> String {
    let r = r.to_ascii_lowercase();
    let r = r.split('.').next().unwrap_or(&r).to_string();
    match r.as_str() {
        "svc" | "service" | "services" => "services",
        "ep" | "endpoint" | "endpoints" => "endpoints",
        "endpointslice" | "endpointslices" => "endpointslices",
        "po" | "pod" | "pods" => "pods",
        "no" | "node" | "nodes" => "nodes",
        "ns" | "namespace" | "namespaces" => "namespaces",
        "deploy" | "deployment" | "deployments" => "deployments",
        "netpol" | "networkpolicy" | "networkpolicies" => "networkpolicies",
        "cm" | "configmap" | "configmaps" => "configmaps",
        "ev" | "event" | "events" => "events",
        "ds" | "daemonset" | "daemonsets" => "daemonsets",
        "rs" | "replicaset" | "replicasets" => "replicasets",
        "sts" | "statefulset" | "statefulsets" => "statefulsets",
        "ing" | "ingress" | "ingresses" => "ingresses",
        other => return other.to_string(),
    }
    .to_string()
}

/// Read the flags of a kubectl invocation (everything after `kubectl`).
pub fn kubectl(args: &[String]) -> Kubectl {
    let mut k = Kubectl::default();
    let mut i = 0;
    let mut positional: Vec<String> = Vec::new();
    // Flags that take a value when written without `=`.
    const WITH_VALUE: &[&str] = &[
        "-n",
        "--namespace",
        "-o",
        "--output",
        "-l",
        "--selector",
        "-c",
        "--container",
        "--context",
        "--kubeconfig",
        "--field-selector",
        "--sort-by",
        "-f",
        "--filename",
        "--cluster",
        "--user",
        "-s",
        "--server",
        "--template",
        "--image",
        "--as",
    ];
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            break;
        }
        if let Some(flag) = a.strip_prefix("--").filter(|_| a.contains('=')) {
            let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
            set_flag(&mut k, &format!("--{name}"), value);
        } else if a.starts_with('-')
            && a.len() > 2
            && !a.starts_with("--")
            && WITH_VALUE.contains(&&a[..2])
        {
            // -nfoo, -owide, -lapp=x
            let (name, value) = a.split_at(2);
            set_flag(&mut k, name, value.trim_start_matches('='));
        } else if WITH_VALUE.contains(&a.as_str()) {
            let value = args.get(i + 1).cloned().unwrap_or_default();
            set_flag(&mut k, a, &value);
            i += 1;
        } else if a.starts_with('-') {
            set_flag(&mut k, a, "");
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    let mut pos = positional.into_iter();
    k.verb = pos.next().unwrap_or_default();
    if let Some(res) = pos.next() {
        // `get svc/backend`, `get svc,ep`, `describe svc backend`
        if let Some((r, name)) = res.split_once('/') {
            k.resource = Some(canonical_resource(r));
            k.names.push(name.to_string());
        } else {
            k.resource = Some(canonical_resource(&res));
        }
    }
    for name in pos {
        if let Some((_, n)) = name.split_once('/') {
            k.names.push(n.to_string());
        } else {
            k.names.push(name);
        }
    }
    k
}

fn set_flag(k: &mut Kubectl, name: &str, value: &str) {
    match name {
        "-n" | "--namespace" => k.namespace = Some(value.to_string()),
        "-o" | "--output" => k.output = Some(value.to_string()),
        "-l" | "--selector" => k.selector = Some(value.to_string()),
        "-A" | "--all-namespaces" => k.all_namespaces = true,
        "--show-labels" => k.show_labels = true,
        _ => {}
    }
}

impl Kubectl {
    /// True for `kubectl <verb> <one of resources>`.
    pub fn is(&self, verb: &str, resources: &[&str]) -> bool {
        self.verb == verb
            && self
                .resource
                .as_deref()
                .is_some_and(|r| resources.contains(&r))
    }
    /// True when the output is a table (no `-o yaml|json|name|jsonpath`).
    pub fn is_table(&self) -> bool {
        match self.output.as_deref() {
            None => true,
            Some(o) => o == "wide",
        }
    }
    /// True when the output is YAML or JSON objects.
    pub fn is_object_dump(&self) -> bool {
        matches!(self.output.as_deref(), Some("yaml" | "json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_flags_in_every_spelling() {
        let c = parse("kubectl get svc -n broken-net -o wide").unwrap();
        let k = c.kubectl.unwrap();
        assert_eq!(k.verb, "get");
        assert_eq!(k.resource.as_deref(), Some("services"));
        assert_eq!(k.namespace.as_deref(), Some("broken-net"));
        assert_eq!(k.output.as_deref(), Some("wide"));
        let k = parse("kubectl --namespace=kube-system get ep kube-dns")
            .unwrap()
            .kubectl
            .unwrap();
        assert_eq!(k.namespace.as_deref(), Some("kube-system"));
        assert_eq!(k.resource.as_deref(), Some("endpoints"));
        assert_eq!(k.names, vec!["kube-dns"]);
        let k = parse("kubectl get pod --selector=app=nginx-ingress")
            .unwrap()
            .kubectl
            .unwrap();
        assert_eq!(k.selector.as_deref(), Some("app=nginx-ingress"));
        let k = parse("kubectl get po -A --show-labels -lk8s-app=kube-dns")
            .unwrap()
            .kubectl
            .unwrap();
        assert!(k.all_namespaces && k.show_labels);
        assert_eq!(k.selector.as_deref(), Some("k8s-app=kube-dns"));
    }

    #[test]
    fn exec_unwraps_to_the_inner_command() {
        let c = parse("kubectl exec -n broken-net -it debug -- nslookup backend").unwrap();
        assert_eq!(c.program, "nslookup");
        assert_eq!(c.args, vec!["backend"]);
        let e = c.exec_in.unwrap();
        assert_eq!(e.namespace.as_deref(), Some("broken-net"));
        assert_eq!(e.pod.as_deref(), Some("debug"));
        let c = parse("sudo /usr/sbin/ss -tlnp").unwrap();
        assert_eq!(c.program, "ss");
        let c = parse("kubectl exec debug -- sh -c 'curl -sS http://backend'").unwrap();
        assert_eq!(c.program, "curl");
    }

    #[test]
    fn quoting_and_pipes() {
        assert_eq!(
            shell_words(r#"a "b c" 'd e' f\ g"#),
            vec!["a", "b c", "d e", "f g"]
        );
        let c = parse("kubectl get pods -o wide | grep backend").unwrap();
        assert_eq!(c.kubectl.unwrap().output.as_deref(), Some("wide"));
        assert!(parse("   ").is_none());
    }
}
