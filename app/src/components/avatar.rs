use leptos::prelude::*;

/// A round badge with the person's initial, coloured by their name so it stays the same.
#[component]
pub fn Avatar(name: String) -> impl IntoView {
    let initial = name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    let hue = name.bytes().fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b))) % 360;
    view! {
        <span class="avatar" aria-hidden="true" style=format!("--avatar-hue: {hue}")>{initial}</span>
    }
}
