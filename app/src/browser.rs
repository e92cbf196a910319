//! Small doors to the browser that more than one part of the app needs. Each is a no-op (or
//! a neutral answer) while rendering on the server, so callers need no `cfg` of their own.

/// A DOM element, as both builds name it (the server build has the type, never an instance).
use leptos::web_sys::Element as DomElement;

/// Whether the device says it has a network (`navigator.onLine`); true on the server.
#[cfg_attr(not(feature = "hydrate"), expect(dead_code, reason = "only the browser's socket loop asks"))]
pub fn network_up() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}

/// Leaves the page for `path` with a real navigation (not the router's), so everything the
/// page holds in memory (stores, outbox, socket, timers) ends with it.
pub fn leave_page(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Whether the element `ev` scrolled is within `margin` pixels of its end; false on the server.
pub fn scrolled_near_end(ev: &leptos::ev::Event, margin: f64) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
            f64::from(el.scroll_top()) + f64::from(el.client_height()) >= f64::from(el.scroll_height()) - margin
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, margin);
        false
    }
}

/// Whether the tab is visible (messages shown count as read only then); false on the server.
pub fn page_visible() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Scrolls the element `id` to the middle of its scroller and flashes it (a jump to a quoted
/// or found message).
pub fn scroll_into_view_and_flash(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = el.class_list().add_1("flash");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Whether `element` has the keyboard focus; false on the server.
pub fn is_focused(element: &DomElement) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()).is_some_and(|a| &a == element)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = element;
        false
    }
}

/// Moves the focus among the elements matching `selector` inside `container`: `step` +1/-1 to
/// the next/previous (wrapping), or `Some(0)`/`None` to the first/last.
pub fn move_focus(container: &DomElement, selector: &str, step: Option<i32>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(list) = container.query_selector_all(selector) else { return };
        let items: Vec<web_sys::HtmlElement> =
            (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
        if items.is_empty() {
            return;
        }
        let current = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|a| items.iter().position(|i| AsRef::<web_sys::Element>::as_ref(i) == &a));
        let last = items.len() as i32 - 1;
        let target = match (step, current) {
            (Some(0), _) => 0,
            (None, _) => last,
            (Some(step), Some(at)) => (at as i32 + step).rem_euclid(last + 1),
            (Some(step), None) => {
                if step > 0 {
                    0
                } else {
                    last
                }
            }
        };
        let _ = items[target as usize].focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (container, selector, step);
}

/// Puts `text` on the clipboard; says whether the browser took it.
pub async fn copy_text(text: String) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else { return false };
        wasm_bindgen_futures::JsFuture::from(window.navigator().clipboard().write_text(&text)).await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}
