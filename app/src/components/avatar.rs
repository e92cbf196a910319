use leptos::prelude::*;
use shared::MediaId;

/// A round picture: the person's profile photo (its thumbnail) when they have one, otherwise
/// their initial on a colour derived from their name, so it stays the same everywhere.
/// Decorative: the name is always written next to it.
#[component]
pub fn Avatar(name: String, #[prop(default = None)] image: Option<MediaId>) -> impl IntoView {
    let initial = name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    let hue = name.bytes().fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b))) % 360;
    match image {
        Some(id) => view! {
            <img class="avatar avatar-photo" src=format!("/media/{id}/thumb") alt="" aria-hidden="true"
                width="40" height="40" loading="lazy" decoding="async"/>
        }
        .into_any(),
        None => view! {
            <span class="avatar" aria-hidden="true" style=format!("--avatar-hue: {hue}")>{initial}</span>
        }
        .into_any(),
    }
}
