//! netdoc's build tooling, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `web [--dev]`: build the page for wasm32 and write the static site to `dist/`
//! - `serve [--port 8080] [--no-build]`: build, then serve `dist/` on 127.0.0.1
//! - `e2e [--no-build]`: build, serve on a free port, run the browser tests (`ui/e2e/`)

mod page;
mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  web [--dev]                      build the page into dist/ (index.html, standalone.html, …)
  serve [--port 8080] [--no-build] build, then serve dist/ on http://127.0.0.1:<port>/
  e2e [--no-build]                 build, then run the browser tests in ui/e2e/ (node, chromium)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let flag = |name: &str| rest.iter().any(|a| a == name);
    match command.as_str() {
        "web" => {
            page::build(&root(), profile(flag("--dev")))?;
            Ok(ExitCode::SUCCESS)
        }
        "serve" => {
            let port = match rest.iter().position(|a| a == "--port") {
                Some(i) => rest
                    .get(i + 1)
                    .and_then(|p| p.parse::<u16>().ok())
                    .ok_or("--port needs a number")?,
                None => 8080,
            };
            if !flag("--no-build") {
                page::build(&root(), profile(flag("--dev")))?;
            }
            let server = serve::Server::bind(port, vec![("/".into(), dist())])?;
            println!("serving {} on http://{}/", dist().display(), server.addr());
            server.run(serve::Log::Stderr);
            Ok(ExitCode::SUCCESS)
        }
        "e2e" => e2e(!flag("--no-build")),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}").into()),
    }
}

/// The cargo profile the page is built with.
fn profile(dev: bool) -> &'static str {
    if dev {
        "dev"
    } else {
        "wasm-release"
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn dist() -> PathBuf {
    root().join("dist")
}

/// Where the e2e server mounts the page a second time, to prove relative URLs work.
const SUBFOLDER: &str = "/nested/folder/netdoc/";

fn e2e(build: bool) -> Result<ExitCode> {
    let root = root();
    if build {
        page::build(&root, profile(false))?;
    }
    if !dist().join("index.html").is_file() {
        return Err("dist/index.html is missing: run `cargo xtask web` first".into());
    }
    if !root.join("node_modules/playwright-core").is_dir() {
        println!("== npm ci (playwright-core for the browser tests)");
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root)
            .status()?
            .success();
        if !ok {
            return Err("`npm ci` failed".into());
        }
    }
    let server = serve::Server::bind(0, vec![("/".into(), dist()), (SUBFOLDER.into(), dist())])?;
    let base = format!("http://{}/", server.addr());
    let log = root.join("target/e2e-requests.log");
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(&log);
    let server_log = serve::Log::File(log.clone());
    std::thread::spawn(move || server.run(server_log));
    println!("== browser tests against {base}");
    let started = Instant::now();
    // Node 20 does not expand directories or globs for `--test`: list the files.
    let mut tests: Vec<PathBuf> = std::fs::read_dir(root.join("ui/e2e"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    if tests.is_empty() {
        return Err("no ui/e2e/*.test.mjs".into());
    }
    let status = Command::new("node")
        .arg("--test")
        .args(&tests)
        .current_dir(&root)
        .env("NETDOC_URL", &base)
        .env(
            "NETDOC_SUBFOLDER_URL",
            format!("{}{}", base.trim_end_matches('/'), SUBFOLDER),
        )
        .env("NETDOC_DIST", dist())
        .env("NETDOC_SERVER_LOG", &log)
        .status()?;
    println!(
        "== browser tests took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
