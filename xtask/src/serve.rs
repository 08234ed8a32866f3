//! A tiny static file server (std only) for `cargo xtask serve` and the browser tests.
//! Loopback only, GET and HEAD, no directory listings, no `..`.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::Result;

/// Where the server writes one line per request (`GET /path 200`).
#[derive(Clone)]
pub enum Log {
    Stderr,
    /// Appended to; the browser tests read it to see every request the server answered,
    /// including the ones a browser makes on its own (favicons, …).
    File(PathBuf),
}

impl Log {
    fn write(&self, line: &str) {
        match self {
            Log::Stderr => eprintln!("{line}"),
            Log::File(path) => {
                if let Ok(mut f) = fs::OpenOptions::new().create(true).append(true).open(path) {
                    let _ = writeln!(f, "{line}");
                }
            }
        }
    }
}

pub struct Server {
    listener: TcpListener,
    /// URL prefix (starting and ending with `/`) → folder served there.
    mounts: Vec<(String, PathBuf)>,
}

impl Server {
    /// Bind 127.0.0.1:`port` (0 picks a free port).
    pub fn bind(port: u16, mounts: Vec<(String, PathBuf)>) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        Ok(Self { listener, mounts })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serve until the process ends, one thread per connection.
    pub fn run(self, log: Log) {
        let mounts = std::sync::Arc::new(self.mounts);
        for stream in self.listener.incoming().flatten() {
            let mounts = mounts.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                if let Err(e) = handle(stream, &mounts, &log) {
                    log.write(&format!("error {e}"));
                }
            });
        }
    }
}

fn handle(stream: TcpStream, mounts: &[(String, PathBuf)], log: &Log) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers (bounded).
    let mut header = String::new();
    for _ in 0..100 {
        header.clear();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = respond(method, target, mounts);
    log.write(&format!("{method} {target} {}", response.status));
    response.write(stream, method == "HEAD")
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: &'static str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            location: None,
            body: format!("{status}\n").into_bytes(),
        }
    }

    fn write(self, mut stream: TcpStream, head_only: bool) -> Result<()> {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        if let Some(location) = &self.location {
            head.push_str(&format!("Location: {location}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if !head_only {
            stream.write_all(&self.body)?;
        }
        stream.flush()?;
        Ok(())
    }
}

fn respond(method: &str, target: &str, mounts: &[(String, PathBuf)]) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text("405 Method Not Allowed");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return Response::text("400 Bad Request");
    };
    // `/sub` → `/sub/`, so the page's relative URLs resolve inside its folder.
    if mounts
        .iter()
        .any(|(prefix, _)| !path.is_empty() && prefix.trim_end_matches('/') == path)
    {
        return Response {
            location: Some(format!("{path}/")),
            ..Response::text("301 Moved Permanently")
        };
    }
    // The longest matching prefix wins.
    let Some((prefix, dir)) = mounts
        .iter()
        .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
        .max_by_key(|(prefix, _)| prefix.len())
    else {
        return Response::text("404 Not Found");
    };
    let Some(file) = resolve(dir, &path[prefix.len()..]) else {
        return Response::text("404 Not Found");
    };
    match fs::read(&file) {
        Ok(body) => Response {
            status: "200 OK",
            content_type: content_type(&file),
            location: None,
            body,
        },
        Err(_) => Response::text("404 Not Found"),
    }
}

/// The file for a path relative to a mount: plain names only, folders mean index.html.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = dir.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).ok()?;
    (!decoded.contains(['\0', '\\'])).then_some(decoded)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("index.html"), "<p>home</p>").unwrap();
        fs::write(dir.join("app_bg.wasm"), b"\0asm").unwrap();
        fs::write(dir.join("sub/index.html"), "<p>sub</p>").unwrap();
        dir
    }

    #[test]
    fn serves_files_with_their_types_and_refuses_escapes() {
        let dir = site();
        let mounts = vec![
            ("/".to_string(), dir.clone()),
            ("/a/b/".to_string(), dir.clone()),
        ];
        let r = respond("GET", "/", &mounts);
        assert_eq!(
            (r.status, r.content_type),
            ("200 OK", "text/html; charset=utf-8")
        );
        assert_eq!(r.body, b"<p>home</p>");
        let r = respond("GET", "/app_bg.wasm?v=1", &mounts);
        assert_eq!((r.status, r.content_type), ("200 OK", "application/wasm"));
        let r = respond("GET", "/a/b/sub/", &mounts);
        assert_eq!(r.body, b"<p>sub</p>");
        let r = respond("GET", "/a/b", &mounts);
        assert_eq!(r.status, "301 Moved Permanently");
        assert_eq!(r.location.as_deref(), Some("/a/b/"));
        for evil in [
            "/../Cargo.toml",
            "/%2e%2e/x",
            "/a/b/../../etc/passwd",
            "/%zz",
            "/x%00",
        ] {
            assert_ne!(respond("GET", evil, &mounts).status, "200 OK", "{evil}");
        }
        assert_eq!(
            respond("POST", "/", &mounts).status,
            "405 Method Not Allowed"
        );
        assert_eq!(
            respond("GET", "/missing.js", &mounts).status,
            "404 Not Found"
        );
        let _ = fs::remove_dir_all(dir);
    }
}
