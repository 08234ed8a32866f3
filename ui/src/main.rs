//! netdoc's web page: the engine compiled to WebAssembly, driven by a Leptos (CSR) view.
//!
//! Everything runs in the page; pasted text never leaves it. Build with `cargo xtask web`.

// On the host only the unit tests use the model; the page (wasm32) uses all of it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod model;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod tools;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod pages;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // The page itself only exists for wasm32; on the host only `model` is built and tested.
    eprintln!("netdoc-ui is a web page: build it with `cargo xtask web` (or `cargo xtask serve`)");
}
