//! The emoji picker: categories and search over the Unicode emoji set from the `emojis` crate
//! (CLDR names and groups), one category on screen at a time to keep the DOM small.

use emojis::{Group, SkinTone};
use leptos::prelude::*;

const GROUPS: [(Group, &str, &str); 9] = [
    (Group::SmileysAndEmotion, "Smileys and emotion", "😀"),
    (Group::PeopleAndBody, "People and body", "👋"),
    (Group::AnimalsAndNature, "Animals and nature", "🐻"),
    (Group::FoodAndDrink, "Food and drink", "🍔"),
    (Group::TravelAndPlaces, "Travel and places", "✈️"),
    (Group::Activities, "Activities", "⚽"),
    (Group::Objects, "Objects", "💡"),
    (Group::Symbols, "Symbols", "❤️"),
    (Group::Flags, "Flags", "🏁"),
];

/// At most this many search results are shown.
const SEARCH_LIMIT: usize = 160;

fn base(emoji: &emojis::Emoji) -> bool {
    emoji.skin_tone().is_none_or(|tone| tone == SkinTone::Default)
}

#[component]
fn EmojiPicker(on_pick: Callback<String>, on_close: Callback<()>) -> impl IntoView {
    let group = RwSignal::new(Group::SmileysAndEmotion);
    let query = RwSignal::new(String::new());
    let shown = move || -> Vec<(&'static str, &'static str)> {
        let needle = query.get().trim().to_lowercase();
        if needle.is_empty() {
            group.get().emojis().filter(|e| base(e)).map(|e| (e.as_str(), e.name())).collect()
        } else {
            emojis::iter()
                .filter(|e| base(e) && (e.name().contains(&needle) || e.shortcodes().any(|s| s.contains(&needle))))
                .take(SEARCH_LIMIT)
                .map(|e| (e.as_str(), e.name()))
                .collect()
        }
    };
    view! {
        <div class="emoji-picker" role="dialog" aria-label="Emoji picker"
            on:keydown=move |ev| if ev.key() == "Escape" { ev.stop_propagation(); on_close.run(()); }>
            <input type="search" class="emoji-search" aria-label="Search emoji" placeholder="Search emoji"
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            <div class="emoji-groups" role="toolbar" aria-label="Emoji categories">
                {GROUPS.iter().map(|(g, name, icon)| {
                    let g = *g;
                    view! {
                        <button type="button" class="emoji-group" aria-label=*name title=*name
                            aria-pressed=move || (group.get() == g && query.with(String::is_empty)).to_string()
                            on:click=move |_| { query.set(String::new()); group.set(g); }>{*icon}</button>
                    }
                }).collect_view()}
            </div>
            <div class="emoji-grid">
                {move || {
                    let list = shown();
                    if list.is_empty() {
                        view! { <p class="empty-state">"No emoji found."</p> }.into_any()
                    } else {
                        list.into_iter().map(|(emoji, name)| view! {
                            <button type="button" class="emoji" aria-label=name title=name
                                on:click=move |_| on_pick.run(emoji.to_owned())>{emoji}</button>
                        }).collect_view().into_any()
                    }
                }}
            </div>
        </div>
    }
}

/// The picker with its emoji table, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn emoji_picker(on_pick: Callback<String>, on_close: Callback<()>) -> AnyView {
    view! { <EmojiPicker on_pick on_close/> }.into_any()
}
