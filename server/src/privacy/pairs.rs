//! The rules of who sees what, decided for a set of viewers and subjects loaded at once.

use super::block::{Column as BlockCol, Entity as Blocks};
use crate::accounts::entity::{Column as UserCol, Entity as Users};
use crate::error::{Error, Result};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Statement,
};
use shared::{Audience, ConversationId, Privacy, UserId, UserView};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One part of a person that their privacy settings govern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    /// Online now, and last seen.
    LastSeen,
    Photo,
    About,
}

/// Settings, blocks and one-to-one chats among some viewers and subjects.
#[derive(Debug, Default)]
pub struct Pairs {
    settings: HashMap<UserId, Privacy>,
    /// (blocker, blocked)
    blocks: HashSet<(UserId, UserId)>,
    /// (lower id, higher id) of every one-to-one chat between a viewer and a subject.
    direct: HashSet<(UserId, UserId)>,
}

#[derive(Debug, FromQueryResult)]
struct Partner {
    a: i64,
    b: i64,
}

fn ordered(a: UserId, b: UserId) -> (UserId, UserId) {
    if a.0 <= b.0 { (a, b) } else { (b, a) }
}

impl Pairs {
    /// Loads what deciding between every viewer and every subject needs: at most three
    /// statements, each keyed by the smaller of the two sides (one person, usually).
    pub async fn load(db: &impl ConnectionTrait, viewers: &[UserId], subjects: &[UserId]) -> Result<Self> {
        let (v, s): (BTreeSet<UserId>, BTreeSet<UserId>) =
            (viewers.iter().copied().collect(), subjects.iter().copied().collect());
        if v.is_empty() || s.is_empty() {
            return Ok(Self::default());
        }
        let everyone: Vec<i64> = v.union(&s).map(|u| u.0).collect();
        let settings: HashMap<UserId, Privacy> = Users::find()
            .select_only()
            .columns([UserCol::Id, UserCol::LastSeenAudience, UserCol::PhotoAudience, UserCol::AboutAudience])
            .column(UserCol::ReadReceipts)
            .filter(UserCol::Id.is_in(everyone))
            .into_tuple::<(i64, String, String, String, bool)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, last_seen, photo, about, read_receipts)| {
                let privacy = Privacy {
                    last_seen: Audience::parse(&last_seen),
                    photo: Audience::parse(&photo),
                    about: Audience::parse(&about),
                    read_receipts,
                };
                (UserId(id), privacy)
            })
            .collect();
        let small: Vec<i64> = if v.len() <= s.len() { &v } else { &s }.iter().map(|u| u.0).collect();
        let crosses = |a: UserId, b: UserId| (v.contains(&a) && s.contains(&b)) || (s.contains(&a) && v.contains(&b));
        let blocks = Blocks::find()
            .filter(
                Condition::any()
                    .add(BlockCol::BlockerId.is_in(small.clone()))
                    .add(BlockCol::BlockedId.is_in(small.clone())),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|b| (UserId(b.blocker_id), UserId(b.blocked_id)))
            .filter(|(a, b)| crosses(*a, *b))
            .collect();
        let wants_contacts = s
            .iter()
            .any(|u| settings.get(u).is_some_and(|p| [p.last_seen, p.photo, p.about].contains(&Audience::Contacts)));
        let mut direct = HashSet::new();
        if wants_contacts {
            let list = small.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            // Integers from the database only (see conversations::list).
            let sql = format!(
                "SELECT m1.user_id AS a, m2.user_id AS b FROM members m1 \
                 JOIN conversations c ON c.id = m1.conversation_id AND c.kind = 'direct' \
                 JOIN members m2 ON m2.conversation_id = m1.conversation_id AND m2.user_id <> m1.user_id \
                 WHERE m1.user_id IN ({list})"
            );
            let statement = Statement::from_string(db.get_database_backend(), sql);
            for p in Partner::find_by_statement(statement).all(db).await? {
                let (a, b) = (UserId(p.a), UserId(p.b));
                if crosses(a, b) {
                    direct.insert(ordered(a, b));
                }
            }
        }
        Ok(Self { settings, blocks, direct })
    }

    /// Adds a viewer and a subject whose one-to-one chat another statement already read with
    /// the facts these rules need (the chat list's member aggregate), so that reading them costs
    /// no statement of its own. Only the photo, "about" and reads are decided from it: the
    /// subject's last seen is taken as hidden.
    pub fn add_direct_pair(
        &mut self,
        viewer: (UserId, bool),
        subject: (UserId, Audience, Audience, bool),
        blocks: (bool, bool),
    ) {
        let ((viewer, viewer_reads), (subject, photo, about, subject_reads)) = (viewer, subject);
        let viewer_settings = self
            .settings
            .entry(viewer)
            .or_insert_with(|| Privacy { last_seen: Audience::Nobody, ..Privacy::default() });
        viewer_settings.read_receipts = viewer_reads;
        self.settings
            .insert(subject, Privacy { last_seen: Audience::Nobody, photo, about, read_receipts: subject_reads });
        let (viewer_blocked, subject_blocked) = blocks;
        if viewer_blocked {
            self.blocks.insert((viewer, subject));
        }
        if subject_blocked {
            self.blocks.insert((subject, viewer));
        }
        self.direct.insert(ordered(viewer, subject));
    }

    fn settings(&self, user: UserId) -> Privacy {
        self.settings.get(&user).copied().unwrap_or_default()
    }

    /// Whether `blocker` blocked `blocked`.
    pub fn blocked(&self, blocker: UserId, blocked: UserId) -> bool {
        self.blocks.contains(&(blocker, blocked))
    }

    pub fn blocked_either(&self, a: UserId, b: UserId) -> bool {
        self.blocked(a, b) || self.blocked(b, a)
    }

    /// Whether `viewer` counts as `subject`'s contact: they have a one-to-one chat, and
    /// `subject` did not block `viewer`.
    pub fn is_contact(&self, subject: UserId, viewer: UserId) -> bool {
        self.direct.contains(&ordered(subject, viewer)) && !self.blocked(subject, viewer)
    }

    /// Whether `viewer` may see `facet` of `subject`.
    pub fn may_see(&self, viewer: UserId, subject: UserId, facet: Facet) -> bool {
        if viewer == subject {
            return true;
        }
        if self.blocked_either(viewer, subject) {
            return false;
        }
        let settings = self.settings(subject);
        let audience = match facet {
            Facet::LastSeen => settings.last_seen,
            Facet::Photo => settings.photo,
            Facet::About => settings.about,
        };
        let allowed = match audience {
            Audience::Everyone => true,
            Audience::Contacts => self.is_contact(subject, viewer),
            Audience::Nobody => false,
        };
        allowed && (facet != Facet::LastSeen || self.settings(viewer).last_seen != Audience::Nobody)
    }

    /// Whether `a` and `b` see each other's reads in their one-to-one chat.
    pub fn shares_reads(&self, a: UserId, b: UserId) -> bool {
        a == b || (!self.blocked_either(a, b) && self.settings(a).read_receipts && self.settings(b).read_receipts)
    }

    /// Leaves out of `user` what `viewer` may not see.
    pub fn redact(&self, viewer: UserId, user: &mut UserView) {
        if !self.may_see(viewer, user.id, Facet::Photo) {
            user.avatar = None;
        }
        if !self.may_see(viewer, user.id, Facet::About) {
            user.about.clear();
        }
    }
}

/// What stands between `me` and the other person of a one-to-one chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// `me` blocked the other person.
    ByMe,
    /// The other person blocked `me`.
    ByThem,
    /// The other person deleted their account.
    Gone,
}

#[derive(Debug, FromQueryResult)]
struct Barrier {
    blocker_id: Option<i64>,
    deleted_at: Option<i64>,
}

/// In `conversation`, if it is a one-to-one chat, whether a block or a deleted account stands
/// between `me` and the other person: one indexed statement (groups answer `None` at once).
pub async fn blocked_in_direct(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    me: UserId,
) -> Result<Option<Blocked>> {
    let (c, me) = (conversation.0, me.0);
    let sql = format!(
        "SELECT b.blocker_id, u.deleted_at FROM conversations c \
         JOIN members m ON m.conversation_id = c.id AND m.user_id <> {me} \
         JOIN users u ON u.id = m.user_id \
         LEFT JOIN blocks b ON (b.blocker_id = {me} AND b.blocked_id = m.user_id) \
                            OR (b.blocker_id = m.user_id AND b.blocked_id = {me}) \
         WHERE c.id = {c} AND c.kind = 'direct' AND (b.blocker_id IS NOT NULL OR u.deleted_at IS NOT NULL) \
         ORDER BY b.blocker_id = {me} DESC LIMIT 1"
    );
    let statement = Statement::from_string(db.get_database_backend(), sql);
    Ok(Barrier::find_by_statement(statement).one(db).await?.map(|b| match (b.blocker_id, b.deleted_at) {
        (_, Some(_)) => Blocked::Gone,
        (Some(blocker), None) if blocker == me => Blocked::ByMe,
        _ => Blocked::ByThem,
    }))
}

#[derive(Debug, FromQueryResult)]
struct DirectMember {
    joined_seq: i64,
    blocker_id: Option<i64>,
    deleted_at: Option<i64>,
}

/// The send path's read in a one-to-one chat: `me`'s membership (its `joined_seq`; `not_found`
/// for a non-member, as `conversations::membership`) and what stands between `me` and the
/// other person, in the one statement the membership check cost anyway.
pub async fn direct_membership(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    me: UserId,
) -> Result<(i64, Option<Blocked>)> {
    let (c, me) = (conversation.0, me.0);
    let sql = format!(
        "SELECT mine.joined_seq, b.blocker_id, u.deleted_at FROM members mine \
         LEFT JOIN members o ON o.conversation_id = mine.conversation_id AND o.user_id <> {me} \
         LEFT JOIN users u ON u.id = o.user_id \
         LEFT JOIN blocks b ON (b.blocker_id = {me} AND b.blocked_id = o.user_id) \
                            OR (b.blocker_id = o.user_id AND b.blocked_id = {me}) \
         WHERE mine.conversation_id = {c} AND mine.user_id = {me} \
         ORDER BY b.blocker_id = {me} DESC LIMIT 1"
    );
    let statement = Statement::from_string(db.get_database_backend(), sql);
    let row = DirectMember::find_by_statement(statement).one(db).await?.ok_or_else(Error::not_found)?;
    let barrier = match (row.blocker_id, row.deleted_at) {
        (_, Some(_)) => Some(Blocked::Gone),
        (Some(blocker), None) if blocker == me => Some(Blocked::ByMe),
        (Some(_), None) => Some(Blocked::ByThem),
        (None, None) => None,
    };
    Ok((row.joined_seq, barrier))
}

/// What a receipt in a one-to-one chat needs: the caller's watermarks, the other person,
/// and whether they may learn of the caller's reads (both share read receipts, no block).
#[derive(Clone, Copy, Debug)]
pub struct DirectReceiptFacts {
    pub delivered_seq: i64,
    pub read_seq: i64,
    pub other: Option<UserId>,
    /// A block either way: the other person gets no receipt at all.
    pub blocked: bool,
    pub shares_reads: bool,
}

#[derive(Debug, FromQueryResult)]
struct ReceiptRow {
    delivered_seq: i64,
    read_seq: i64,
    other_id: Option<i64>,
    my_reads: bool,
    other_reads: Option<bool>,
    blocker_id: Option<i64>,
}

/// The receipt path's read in a one-to-one chat: `me`'s membership (`not_found` for a
/// non-member) with the facts of [`DirectReceiptFacts`], in one statement.
pub async fn direct_receipt_facts(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    me: UserId,
) -> Result<DirectReceiptFacts> {
    let (c, me) = (conversation.0, me.0);
    let sql = format!(
        "SELECT mine.delivered_seq, mine.read_seq, o.user_id AS other_id, mu.read_receipts AS my_reads, \
         ou.read_receipts AS other_reads, b.blocker_id FROM members mine \
         JOIN users mu ON mu.id = mine.user_id \
         LEFT JOIN members o ON o.conversation_id = mine.conversation_id AND o.user_id <> {me} \
         LEFT JOIN users ou ON ou.id = o.user_id \
         LEFT JOIN blocks b ON (b.blocker_id = {me} AND b.blocked_id = o.user_id) \
                            OR (b.blocker_id = o.user_id AND b.blocked_id = {me}) \
         WHERE mine.conversation_id = {c} AND mine.user_id = {me} LIMIT 1"
    );
    let statement = Statement::from_string(db.get_database_backend(), sql);
    let row = ReceiptRow::find_by_statement(statement).one(db).await?.ok_or_else(Error::not_found)?;
    let blocked = row.blocker_id.is_some();
    Ok(DirectReceiptFacts {
        delivered_seq: row.delivered_seq,
        read_seq: row.read_seq,
        other: row.other_id.map(UserId),
        blocked,
        shares_reads: !blocked && row.my_reads && row.other_reads.unwrap_or(true),
    })
}

/// Refuses a send into a one-to-one chat across a block or to a deleted account. The blocker
/// is told plainly; the blocked person learns no more than that this message could not be
/// delivered (WhatsApp shows them one grey tick forever; we say so at once instead of keeping
/// a message nobody gets).
pub async fn refuse_if_blocked(db: &impl ConnectionTrait, conversation: ConversationId, me: UserId) -> Result<()> {
    refuse(blocked_in_direct(db, conversation, me).await?)
}

/// The refusal for `barrier`, if any (see [`refuse_if_blocked`]).
pub fn refuse(barrier: Option<Blocked>) -> Result<()> {
    match barrier {
        None => Ok(()),
        Some(Blocked::ByMe) => Err(Error::forbidden("You blocked this contact. Unblock them to send a message.")),
        Some(Blocked::ByThem) => Err(Error::forbidden("This message could not be delivered.")),
        Some(Blocked::Gone) => Err(Error::forbidden("This account was deleted.")),
    }
}
