//! Light, dark or system theme. The choice lives in a cookie so the server renders the right
//! theme on the first byte (no flash); the browser flips `data-theme` on `<html>` live.

use serde::{Deserialize, Serialize};

pub const COOKIE: &str = "theme";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn attr(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    /// The theme a click on the toggle switches to.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System theme",
            Self::Light => "Light theme",
            Self::Dark => "Dark theme",
        }
    }
}

/// The theme to render the document with.
pub fn initial_theme() -> Theme {
    #[cfg(feature = "ssr")]
    {
        crate::backend::cookie(COOKIE).map(|v| Theme::parse(&v)).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        current()
    }
}

/// The theme the document shows now (browser), or the default.
pub fn current() -> Theme {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("data-theme"))
            .map(|v| Theme::parse(&v))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Theme::default()
    }
}

/// Shows `theme` now and remembers it for a year.
pub fn apply(theme: Theme) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("data-theme", theme.attr());
        }
        if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html.set_cookie(&format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", theme.attr()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}
