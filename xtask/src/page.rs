//! `cargo xtask web`: the page, built for wasm32, bound with wasm-bindgen, into `dist/`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use base64::Engine as _;

use crate::Result;

/// File stem of the generated JS and wasm (`netdoc_ui.js`, `netdoc_ui_bg.wasm`).
const STEM: &str = "netdoc_ui";

/// The served page: its scripts and wasm from its own folder, nothing else.
const CSP_SERVED: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
     form-action 'none'";

/// The single file: its one script inline, no connection at all.
const CSP_STANDALONE: &str = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; \
     style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const SCRIPT_MARKER: &str = "<!--NETDOC_SCRIPT-->";
const CSP_MARKER: &str = "NETDOC_CSP";

pub fn build(root: &Path, profile: &str) -> Result<()> {
    let started = Instant::now();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    println!("== cargo build -p netdoc-ui --target wasm32-unknown-unknown --profile {profile}");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let ok = Command::new(cargo)
        .args([
            "build",
            "-p",
            "netdoc-ui",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            profile,
        ])
        .current_dir(root)
        .status()?
        .success();
    if !ok {
        return Err("building the page for wasm32 failed \
                    (is the target installed? `rustup target add wasm32-unknown-unknown`)"
            .into());
    }
    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let wasm = target_dir
        .join("wasm32-unknown-unknown")
        .join(profile_dir)
        .join("netdoc-ui.wasm");
    println!("   compiled in {:.1}s", started.elapsed().as_secs_f64());

    let bound = target_dir.join("xtask-bindgen");
    if bound.exists() {
        fs::remove_dir_all(&bound)?;
    }
    let bindgen_started = Instant::now();
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .out_name(STEM)
        .web(true)?
        // Keep `init()` able to find the .wasm next to the JS (import.meta.url).
        .omit_default_module_path(false)
        .typescript(false)
        .debug(profile == "dev")
        .remove_name_section(profile != "dev")
        .remove_producers_section(true)
        .generate(&bound)?;
    let js_file = bound.join(format!("{STEM}.js"));
    let wasm_file = bound.join(format!("{STEM}_bg.wasm"));
    if bound.join("snippets").exists() {
        return Err("wasm-bindgen wrote snippets/, which standalone.html cannot inline".into());
    }
    // No wasm-opt: npm's binaryen (104 MB) saved 7% raw but 0.3% gzipped here, and
    // Debian's is too old for wasm-bindgen's externref table.
    println!(
        "   wasm-bindgen in {:.1}s",
        bindgen_started.elapsed().as_secs_f64()
    );

    let dist = root.join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist)?;
    }
    fs::create_dir_all(&dist)?;
    let js = fs::read_to_string(&js_file)?;
    let wasm_bytes = fs::read(&wasm_file)?;
    let template = fs::read_to_string(root.join("ui/index.html"))?;

    fs::write(dist.join(format!("{STEM}.js")), &js)?;
    fs::write(dist.join(format!("{STEM}_bg.wasm")), &wasm_bytes)?;
    fs::write(
        dist.join("boot.js"),
        format!("import init from './{STEM}.js';\ninit();\n"),
    )?;
    let index = fill(
        &template,
        CSP_SERVED,
        "<script type=\"module\" src=\"./boot.js\"></script>",
    )?;
    fs::write(dist.join("index.html"), index)?;
    let standalone = fill(
        &template,
        CSP_STANDALONE,
        &standalone_script(&js, &wasm_bytes)?,
    )?;
    fs::write(dist.join("standalone.html"), standalone)?;

    println!("== dist/ ({:.1}s in all)", started.elapsed().as_secs_f64());
    let mut files: Vec<PathBuf> = fs::read_dir(&dist)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for file in files {
        let bytes = fs::read(&file)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        match gzip_size(&bytes) {
            Some(gz) => println!("   {name:<22} {:>9} B raw {gz:>9} B gzip", bytes.len()),
            None => println!("   {name:<22} {:>9} B raw", bytes.len()),
        }
    }
    Ok(())
}

/// The page template with its CSP and script filled in; each marker must be there once.
fn fill(template: &str, csp: &str, script: &str) -> Result<String> {
    for marker in [CSP_MARKER, SCRIPT_MARKER] {
        if template.matches(marker).count() != 1 {
            return Err(format!("ui/index.html must contain {marker} exactly once").into());
        }
    }
    Ok(template
        .replace(CSP_MARKER, csp)
        .replace(SCRIPT_MARKER, script))
}

/// One inline module script: wasm-bindgen's JS, then the wasm from base64 bytes (module
/// scripts and fetch() do not work from file://, inline bytes do).
fn standalone_script(js: &str, wasm: &[u8]) -> Result<String> {
    if js.contains("</script") || js.contains("<!--") {
        return Err("the generated JS cannot be inlined in a <script> as it is".into());
    }
    if !js.contains("async function __wbg_init(") {
        return Err("wasm-bindgen's JS has no __wbg_init() to call with the inline bytes".into());
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(wasm);
    Ok(format!(
        "<script type=\"module\">\n{js}\n\
         const bytes = Uint8Array.from(atob(\"{b64}\"), (c) => c.charCodeAt(0));\n\
         __wbg_init({{ module_or_path: bytes }});\n</script>"
    ))
}

/// Size after `gzip -9`, when gzip is on the PATH (only reported, never required).
fn gzip_size(bytes: &[u8]) -> Option<usize> {
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    out.status.success().then_some(out.stdout.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_needs_each_marker_once() {
        let ok = format!("<meta content=\"{CSP_MARKER}\">{SCRIPT_MARKER}");
        let page = fill(&ok, "default-src 'none'", "<script></script>").unwrap();
        assert_eq!(
            page,
            "<meta content=\"default-src 'none'\"><script></script>"
        );
        assert!(fill("no markers", "x", "y").is_err());
        let twice = format!("{ok}{SCRIPT_MARKER}");
        assert!(fill(&twice, "x", "y").is_err());
    }

    #[test]
    fn standalone_refuses_js_that_would_close_the_script() {
        assert!(standalone_script("let s = '</script>';", b"\0asm").is_err());
        let script = standalone_script("async function __wbg_init(m) {}", b"\0asm").unwrap();
        assert!(script.contains("atob(\"AGFzbQ==\")"));
    }
}
