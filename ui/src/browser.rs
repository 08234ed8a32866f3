//! The few browser APIs the page uses, none of which may throw or panic: every failure
//! comes back as a value the page shows.

use std::time::Duration;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Copy `text` with the asynchronous clipboard API. `false` when there is no clipboard
/// (insecure context, old browser) or the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    // Looked up by name: `navigator.clipboard` is undefined outside secure contexts, and a
    // direct binding would throw there.
    let navigator: JsValue = window.navigator().into();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise).await.is_ok()
}

/// Save `text` as a file named `name`: a Blob, an object URL and a click on an `a download`.
/// Nothing goes over the network.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    // The download has started from the click; free the URL a little later.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(30),
    );
    Ok(())
}

/// A file's text, decoded as UTF-8 (`Blob.text()`).
pub async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let size = file.size();
    if size > crate::model::MAX_INPUT_BYTES as f64 {
        return Err(format!(
            "{} is too large ({:.1} MiB); netdoc reads pastes up to {} MiB",
            file.name(),
            size / 1024.0 / 1024.0,
            crate::model::MAX_INPUT_BYTES / 1024 / 1024
        ));
    }
    match JsFuture::from(file.text()).await {
        Ok(value) => value
            .as_string()
            .ok_or_else(|| format!("{} is not text", file.name())),
        Err(_) => Err(format!("could not read {}", file.name())),
    }
}

/// Remove the static "Loading…" note once the page runs.
pub fn remove_loading_note() {
    if let Some(note) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        note.remove();
    }
}

/// Every file of a `FileList` (a drop or a multiple file input).
pub fn file_list(files: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}
