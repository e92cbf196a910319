//! What the API shows of a user. Password hashes have no type here on purpose.

use crate::ids::UserId;
use crate::media::MediaId;
use serde::{Deserialize, Serialize};

/// Another user, as anyone who may see them sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// The "about" line of the profile; may be empty.
    #[serde(default)]
    pub about: String,
    /// Profile picture, served at `/media/{id}` (and `/media/{id}/thumb`) to signed-in users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<MediaId>,
    /// The account was deleted (`display_name` then says "Deleted account"); present only
    /// when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// Who may add a person to a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupAdds {
    /// Anyone who can find them.
    Everyone,
    /// Only people they have a one-to-one chat with.
    #[default]
    Contacts,
}

impl GroupAdds {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
        }
    }

    /// The stored value; anything unknown reads as the safer `Contacts`.
    pub fn parse(value: &str) -> Self {
        if value == "everyone" { Self::Everyone } else { Self::Contacts }
    }
}

/// Who may see one part of a person's profile or presence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Everyone who can see the person at all (shares a chat with them, or finds them).
    #[default]
    Everyone,
    /// People the person has a one-to-one chat with and did not block.
    Contacts,
    Nobody,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Everyone, Audience::Contacts, Audience::Nobody];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
            Self::Nobody => "nobody",
        }
    }

    /// The stored value; anything unknown reads as the safest, `Nobody`.
    pub fn parse(value: &str) -> Self {
        match value {
            "everyone" => Self::Everyone,
            "contacts" => Self::Contacts,
            _ => Self::Nobody,
        }
    }

    /// How settings name the choice.
    pub fn label(self) -> &'static str {
        match self {
            Self::Everyone => "Everyone",
            Self::Contacts => "My contacts",
            Self::Nobody => "Nobody",
        }
    }
}

/// A person's privacy settings, enforced by the server for everyone who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Privacy {
    /// Who sees whether this person is online and when they were last seen. Someone who
    /// shows it to nobody sees nobody else's either.
    pub last_seen: Audience,
    /// Who sees the profile photo.
    pub photo: Audience,
    /// Who sees the "about" line.
    pub about: Audience,
    /// Off: in one-to-one chats nobody sees when this person read a message, and they see
    /// nobody's reads either (blue ticks); groups always share them.
    pub read_receipts: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            last_seen: Audience::Everyone,
            photo: Audience::Everyone,
            about: Audience::Everyone,
            read_receipts: true,
        }
    }
}

/// A group, named: where two people meet besides their one-to-one chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: crate::ids::ConversationId,
    pub title: String,
    pub member_count: i64,
}

/// What "Contact info" shows of another person (`users/profile`): their profile as their
/// privacy lets the caller see it, presence likewise, the groups both are in, and whether the
/// caller blocked them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    pub user: UserView,
    /// `None` when their last-seen setting hides it from the caller (or the caller hides their own).
    pub presence: Option<PresenceView>,
    pub common_groups: Vec<GroupRef>,
    pub blocked: bool,
}

/// One signed-in session of the caller's account, as settings' "Devices" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Names the session for `accounts/end_device` without being its cookie (a digest of it).
    pub id: String,
    /// From the User-Agent, e.g. "Chrome", "Firefox"; "Unknown browser" if it says nothing known.
    pub browser: String,
    /// e.g. "Linux", "Android", "iPhone", "Windows 10"; "Unknown system" likewise.
    pub os: String,
    /// Unix milliseconds of its last request (to within the session's save), and of its log-in
    /// (0 for sessions started before devices were recorded).
    pub last_active_at: i64,
    pub signed_in_at: i64,
    /// The session this list was asked from.
    pub current: bool,
}

/// The logged-in user's own account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub about: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<MediaId>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Who may add this person to groups (`accounts/set_group_adds`).
    #[serde(default)]
    pub group_adds: GroupAdds,
    /// Who sees what of this person (`accounts/set_privacy`).
    #[serde(default)]
    pub privacy: Privacy,
}

/// Whether a user is online now, or when they were last seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceView {
    pub online: bool,
    /// Unix milliseconds; set when offline.
    pub last_seen_at: Option<i64>,
}
