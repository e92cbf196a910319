//! My own marks on messages — starred, deleted for me — as the store keeps them: the stars of
//! a loaded thread in `Thread::starred`, and a hidden message simply gone from its thread and
//! from its chat-list row's preview. Fed by history pages, `messages/sync` and `marks` pushes
//! (another device of mine, or this one's own call echoed back).

use super::apply::FollowUp;
use super::{ChatStore, ThreadStoreFields};
use leptos::prelude::*;
use shared::{ConversationId, MessageId, MessageMark, Seq};

impl ChatStore {
    /// Applies marks: stars set or cleared, hidden messages removed. Returns `Refresh` when a
    /// chat-list row previewed a message now hidden and no loaded message can replace it.
    pub fn apply_marks(&self, marks: &[MessageMark]) -> FollowUp {
        let mut follow_up = FollowUp::None;
        for mark in marks {
            let conversation = mark.conversation_id;
            if self.has_thread(conversation) {
                let id = [mark.message_id];
                let starred: &[MessageId] = if mark.starred && !mark.hidden { &id } else { &[] };
                self.set_stars(conversation, &id, starred);
                if mark.hidden {
                    self.remove_message(conversation, mark.message_id);
                    if self.with_thread_untracked(conversation, |th| th.hidden.contains(&mark.message_id))
                        == Some(false)
                    {
                        self.thread(conversation).hidden().update(|h| {
                            h.insert(mark.message_id);
                        });
                    }
                }
            }
            if mark.hidden && self.forget_preview(conversation, mark.message_id) {
                follow_up = FollowUp::Refresh(conversation);
            }
        }
        follow_up
    }

    /// Sets which of `ids` (messages of a loaded thread) are starred: those in `starred`.
    pub(super) fn set_stars(&self, conversation: ConversationId, ids: &[MessageId], starred: &[MessageId]) {
        let stale = self
            .with_thread_untracked(conversation, |th| {
                ids.iter().any(|id| th.starred.contains(id) != starred.contains(id))
            })
            .unwrap_or(false);
        if stale {
            self.thread(conversation).starred().update(|set| {
                for id in ids {
                    if starred.contains(id) {
                        set.insert(*id);
                    } else {
                        set.remove(id);
                    }
                }
            });
        }
    }

    fn remove_message(&self, conversation: ConversationId, id: MessageId) {
        let seq: Option<Seq> = self
            .with_thread_untracked(conversation, |th| th.messages.values().find(|m| m.id == id).map(|m| m.seq))
            .flatten();
        if let Some(seq) = seq {
            self.thread(conversation).messages().update(|messages| {
                messages.remove(&seq);
            });
        }
    }

    /// If the row previews message `id`, replaces the preview with the thread's newest message
    /// still held. Returns whether the row needs fetching instead (nothing loaded to show).
    fn forget_preview(&self, conversation: ConversationId, id: MessageId) -> bool {
        let previews = self
            .summary_untracked(conversation)
            .is_some_and(|row| row.last_message.as_ref().is_some_and(|m| m.id == id));
        if !previews {
            return false;
        }
        let newest = self.with_thread_untracked(conversation, |th| th.messages.values().next_back().cloned()).flatten();
        match newest {
            Some(newest) => {
                self.update_row(conversation, |row| row.last_message = Some(newest));
                false
            }
            None => true,
        }
    }
}
