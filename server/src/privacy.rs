//! Privacy and safety (issue 15): who sees what of a person, blocking, and reports.
//!
//! Every answer that shows one person to another is shaped here, on the server, whatever the
//! client hides: [`Pairs`] holds, for the people one answer is about, their settings, who
//! blocked whom among them and who has a one-to-one chat with whom, loaded in three
//! statements; `may_see`, `shares_reads` and `redact` decide with no further queries.
//!
//! - Last seen and online, photo and "about" each go to everyone, to the person's contacts
//!   (one-to-one chat, not blocked by them) or to nobody. Who shows their last seen to nobody
//!   sees nobody's (as WhatsApp does).
//! - Read receipts off: in one-to-one chats this person's reads are shown to nobody and they
//!   see nobody's; groups always share them.
//! - A block, either way, hides all of the above between the two, refuses the blocked
//!   person's sends and typing in their one-to-one chat, keeps them from adding the blocker to
//!   groups, and takes both out of each other's search.

pub mod block;
mod pairs;
pub mod report;
mod service;

pub use pairs::{
    Blocked, DirectReceiptFacts, Facet, Pairs, blocked_in_direct, direct_membership, direct_receipt_facts, refuse,
    refuse_if_blocked,
};
pub use service::{PrivacyChange, PrivacyService, ReportListing, reports};
