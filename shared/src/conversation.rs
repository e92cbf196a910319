//! Conversations as the API shows them to one member.

use crate::ids::{ConversationId, Rev, Seq};
use crate::message::MessageView;
use crate::user::UserView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Group,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }

    /// Owners and admins manage a group.
    pub fn can_manage(self) -> bool {
        self >= Self::Admin
    }
}

/// One row of the chat list, as the caller sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub kind: ConversationKind,
    /// The group's name, or the other person's display name for a direct chat.
    pub title: String,
    /// The other person, for a direct chat.
    pub peer: Option<UserView>,
    pub last_message: Option<MessageView>,
    pub last_seq: Seq,
    pub rev: Rev,
    /// Messages from others after the caller's read watermark.
    pub unread: i64,
    /// Unix milliseconds of the last message or change; the list is sorted by it.
    pub last_activity_at: i64,
    pub my_role: Role,
    pub pinned: bool,
    pub archived: bool,
    pub muted: bool,
    pub member_count: i64,
    /// The lowest delivered and read watermarks among the other members: the tick of the
    /// caller's last message without loading the thread. Both 0 when there is nobody else.
    #[serde(default)]
    pub peers_delivered_seq: Seq,
    #[serde(default)]
    pub peers_read_seq: Seq,
    /// A direct chat whose other person the caller blocked: nothing can be sent until they
    /// unblock (`users/unblock`). Always false for groups.
    #[serde(default)]
    pub blocked: bool,
}

impl ConversationSummary {
    /// The tick of message `seq` as far as this row knows (the open thread knows more).
    pub fn tick_for(&self, seq: Seq) -> crate::message::Tick {
        let others = (self.member_count > 1).then_some((self.peers_delivered_seq, self.peers_read_seq));
        crate::message::Tick::for_seq(seq, others)
    }

    /// Sets the other members' lowest watermarks from their full list (`me` excluded).
    pub fn set_peer_marks<'a>(&mut self, members: impl IntoIterator<Item = &'a MemberView>, me: crate::ids::UserId) {
        let (mut delivered, mut read, mut any) = (Seq::MAX, Seq::MAX, false);
        for member in members.into_iter().filter(|m| m.user.id != me) {
            any = true;
            delivered = delivered.min(member.delivered_seq.max(member.read_seq));
            read = read.min(member.read_seq);
        }
        if any {
            self.peers_delivered_seq = delivered;
            self.peers_read_seq = read;
        }
    }
}

/// Where a page of the chat list continues: the last row of the previous page. The list is
/// ordered pinned first, then by `last_activity_at`, newest first, then by id, highest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCursor {
    pub pinned: bool,
    pub last_activity_at: i64,
    pub id: ConversationId,
}

impl ListCursor {
    /// Rows in a page of `conversations/list` when the caller asks for no other number.
    pub const PAGE: u32 = 50;
    /// The most rows one page may have.
    pub const MAX_PAGE: u32 = 200;

    /// The cursor that continues after `row`.
    pub fn after(row: &ConversationSummary) -> Self {
        Self { pinned: row.pinned, last_activity_at: row.last_activity_at, id: row.id }
    }

    /// Whether `row` comes after this cursor in the list's order.
    pub fn precedes(&self, row: &ConversationSummary) -> bool {
        (self.pinned, self.last_activity_at, self.id.0) > (row.pinned, row.last_activity_at, row.id.0)
    }
}

/// A member and their receipt watermarks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user: UserView,
    pub role: Role,
    pub delivered_seq: Seq,
    pub read_seq: Seq,
}

/// A conversation with its members, for the chat header and group info.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub members: Vec<MemberView>,
}

/// Per-user flags; `None` leaves a flag as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationFlags {
    pub pinned: Option<bool>,
    pub archived: Option<bool>,
    pub muted: Option<bool>,
}
