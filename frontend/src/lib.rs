#![recursion_limit = "256"]
//! The WASM entry: hydrates the server-rendered page with the `app` crate. Nothing else.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
