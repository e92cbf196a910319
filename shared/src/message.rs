//! Messages, receipts and the pages the history and sync calls return.

use crate::conversation::MemberView;
use crate::ids::{ConversationId, MessageId, Rev, Seq, UserId};
use crate::media::Attachment;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    /// "Alice added Bob": written by the server, no sender.
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::System => "system",
        }
    }

    pub fn parse(value: &str) -> Self {
        if value == "system" { Self::System } else { Self::Text }
    }
}

/// The quoted message shown above a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPreview {
    pub id: MessageId,
    pub seq: Seq,
    pub sender_id: Option<UserId>,
    /// At most 200 characters of the quoted text; empty when it was deleted.
    pub body: String,
    pub deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub seq: Seq,
    /// The conversation rev of this message's last change (send, edit or delete).
    pub rev: Rev,
    pub sender_id: Option<UserId>,
    pub client_msg_id: Option<String>,
    pub kind: MessageKind,
    /// Empty once deleted.
    pub body: String,
    pub reply_to: Option<ReplyPreview>,
    /// The image, document or voice note this message carries (`body` is then its caption,
    /// possibly empty). `None` once deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    /// Who reacted with what, oldest first; one reaction per person. Empty (and absent on the
    /// wire) when nobody reacted, and once deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// A copy forwarded from another chat (shown with a "Forwarded" label; who wrote the
    /// original is not said, as in WhatsApp). Absent on the wire when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forwarded: bool,
}

/// One person's reaction to a message: a single emoji. A new one replaces theirs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub user_id: UserId,
    pub emoji: String,
}

impl MessageView {
    /// The reactions grouped by emoji, in the order each emoji was first used, with who
    /// reacted with it (what a chip under the bubble shows).
    pub fn reaction_groups(&self) -> Vec<(String, Vec<UserId>)> {
        let mut groups: Vec<(String, Vec<UserId>)> = Vec::new();
        for reaction in &self.reactions {
            match groups.iter_mut().find(|(emoji, _)| *emoji == reaction.emoji) {
                Some((_, users)) => users.push(reaction.user_id),
                None => groups.push((reaction.emoji.clone(), vec![reaction.user_id])),
            }
        }
        groups
    }

    /// The reaction of `user`, if any.
    pub fn reaction_of(&self, user: UserId) -> Option<&str> {
        self.reactions.iter().find(|r| r.user_id == user).map(|r| r.emoji.as_str())
    }
}

impl ReplyPreview {
    /// Characters of the quoted text a preview keeps.
    pub const MAX_CHARS: usize = 200;

    /// The quote of `message` as a reply to it shows it. The server renders quotes this way
    /// whenever a reply is read; a client holding replies re-renders theirs this way when the
    /// quoted message changes (an edit or delete does not re-issue the replies).
    pub fn of(message: &MessageView) -> Self {
        Self {
            id: message.id,
            seq: message.seq,
            sender_id: message.sender_id,
            body: Self::text(&message.body, message.attachment.as_ref(), message.deleted),
            deleted: message.deleted,
        }
    }

    /// The quoted text: the body, or the attachment's description when there is no caption;
    /// nothing once deleted.
    pub fn text(body: &str, attachment: Option<&Attachment>, deleted: bool) -> String {
        match attachment {
            _ if deleted => String::new(),
            Some(attachment) if body.is_empty() => attachment.summary(),
            _ => body.chars().take(Self::MAX_CHARS).collect(),
        }
    }
}

/// A member's receipt watermarks in one conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub delivered_seq: Seq,
    pub read_seq: Seq,
}

/// One page of history, newest last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub messages: Vec<MessageView>,
    /// Whether older messages exist before the first one here.
    pub has_more: bool,
    /// Everyone's watermarks, for ticks.
    pub members: Vec<MemberView>,
    pub rev: Rev,
    /// Which of these messages the caller starred (their own marks; messages they deleted for
    /// themselves are not in the page at all).
    #[serde(default)]
    pub starred: Vec<MessageId>,
}

/// Everything that changed in a conversation after a rev: new, edited and deleted messages
/// (each once, in its latest state) and the current receipts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPage {
    pub conversation_id: ConversationId,
    pub changed: Vec<MessageView>,
    pub members: Vec<MemberView>,
    /// The rev the caller now holds.
    pub rev: Rev,
    /// True when more changes remain after `rev`: call again.
    pub has_more: bool,
    /// The caller's marks that changed at or after the rev they held: starred, unstarred,
    /// deleted for them. A hidden message is never in `changed`.
    #[serde(default)]
    pub marks: Vec<MessageMark>,
}

/// One person's own mark on a message, seen by nobody else: starred (in their "Starred
/// messages") or hidden (deleted for them alone, on all their devices; final).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageMark {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub starred: bool,
    pub hidden: bool,
}

/// A starred message, with where it is and when it was starred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarredMessage {
    pub message: MessageView,
    pub conversation_title: String,
    pub starred_at: i64,
}

/// Where a page of "Starred messages" ends: pass it back to read the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarredCursor {
    pub starred_at: i64,
    pub message_id: MessageId,
}

/// One page of the caller's starred messages, most recently starred first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarredPage {
    pub items: Vec<StarredMessage>,
    /// Set when more remain: the cursor of the last item.
    pub next: Option<StarredCursor>,
}

/// A search hit: the message and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub message: MessageView,
    pub conversation_title: String,
    /// The matching text with matches wrapped in `[[` and `]]`, for the UI to highlight
    /// (never HTML).
    pub snippet: String,
}

/// Tick state of one of my messages, as WhatsApp shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tick {
    /// In the outbox, not yet acknowledged.
    Pending,
    /// Stored by the server.
    Sent,
    /// Delivered to every other member.
    Delivered,
    /// Read by every other member.
    Read,
}

impl Tick {
    /// The tick for message `seq` given the other members' watermarks.
    pub fn for_seq(seq: Seq, others: impl IntoIterator<Item = (Seq, Seq)>) -> Self {
        let (mut delivered, mut read, mut any) = (true, true, false);
        for (delivered_seq, read_seq) in others {
            any = true;
            delivered &= delivered_seq >= seq || read_seq >= seq;
            read &= read_seq >= seq;
        }
        match (any, read, delivered) {
            (false, _, _) => Self::Sent,
            (true, true, _) => Self::Read,
            (true, false, true) => Self::Delivered,
            _ => Self::Sent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_need_every_other_member() {
        assert_eq!(Tick::for_seq(5, [(5, 5), (7, 6)]), Tick::Read);
        assert_eq!(Tick::for_seq(5, [(5, 4), (7, 6)]), Tick::Delivered);
        assert_eq!(Tick::for_seq(5, [(4, 4), (7, 7)]), Tick::Sent);
        assert_eq!(Tick::for_seq(5, [(0, 5)]), Tick::Read, "read implies delivered");
        assert_eq!(Tick::for_seq(5, []), Tick::Sent);
    }
}
