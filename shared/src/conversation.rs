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
