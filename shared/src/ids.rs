//! Identifier newtypes, so a user id can never be passed where a conversation id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A registered account.
    UserId
);

id_type!(
    /// A direct chat or a group.
    ConversationId
);

id_type!(
    /// A message, unique across conversations.
    MessageId
);

/// Position of a message in its conversation: 1, 2, 3 … with no gaps.
pub type Seq = i64;

/// Change counter of a conversation: bumped by every new message, edit, delete and membership
/// change. A client that holds rev N asks for "changes after N" to catch up.
pub type Rev = i64;
