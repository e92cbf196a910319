//! Presence: a user is online while at least one of their sockets is open, on any node, so
//! closing one of several tabs changes nothing. Closing a node's last socket of a user records
//! `last_seen_at`. Changes are pushed to the user's contacts: everyone who shares a
//! conversation with them.
//!
//! Each node tells only its own sockets, from its own view of where the user's sockets are
//! (`Hub::announce_presence`): changes made here arrive through `connected`/`disconnected`,
//! changes on other nodes through `follow`. Presence frames never cross nodes, so no two
//! nodes' announcements can arrive out of order.

use crate::accounts::entity::{Column as UserCol, Entity as Users};
use crate::conversations::member::{Column as MemberCol, Entity as Members};
use crate::db::now_ms;
use crate::deps::Deps;
use crate::error::Result;
use crate::privacy::{Facet, Pairs};
use crate::realtime::PresenceChange;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use shared::frames::ServerFrame;
use shared::{ConversationId, PresenceView, UserId};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Presence changes from other nodes being announced at once (each costs two queries).
const FOLLOW_CONCURRENCY: usize = 8;

#[derive(Clone)]
pub struct Presence {
    deps: Deps,
}

impl Presence {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    pub fn hub(&self) -> &crate::realtime::Hub {
        &self.deps.hub
    }

    /// Call after a socket registered with the hub.
    pub async fn connected(&self, user: UserId, first: bool) {
        if first {
            self.announce(user, true, None).await;
        }
    }

    /// Call after a socket unregistered from the hub.
    pub async fn disconnected(&self, user: UserId) {
        if self.deps.hub.local_connections(user) > 0 {
            return;
        }
        // Recorded even if the user is still online on another node: that node records again
        // when its last socket closes, and two nodes closing at once both record.
        let now = self.record_last_seen(user).await;
        if self.deps.hub.connections(user) == 0 {
            self.announce(user, false, Some(now)).await;
        }
    }

    /// Announces to this node's sockets the changes other nodes' sockets make (see
    /// `realtime::cluster`), a few at a time; the order does not matter, since each
    /// announcement is checked against the current state as it goes out.
    pub fn follow(&self, mut changes: tokio::sync::mpsc::UnboundedReceiver<PresenceChange>) {
        let presence = self.clone();
        let limit = Arc::new(tokio::sync::Semaphore::new(FOLLOW_CONCURRENCY));
        tokio::spawn(async move {
            while let Some(change) = changes.recv().await {
                let Ok(permit) = limit.clone().acquire_owned().await else { return };
                let presence = presence.clone();
                tokio::spawn(async move {
                    presence.changed_elsewhere(change).await;
                    drop(permit);
                });
            }
        });
    }

    async fn changed_elsewhere(&self, change: PresenceChange) {
        let PresenceChange { user, online, vanished } = change;
        let last_seen_at = match (online, vanished) {
            (true, _) => None,
            (false, true) => Some(self.record_last_seen(user).await),
            (false, false) => Some(now_ms()),
        };
        if self.deps.hub.has_local_sockets() {
            self.announce(user, online, last_seen_at).await;
        }
    }

    /// Not for a deleted account: its sockets close after it was emptied, and it was last
    /// seen by nobody.
    async fn record_last_seen(&self, user: UserId) -> i64 {
        let now = now_ms();
        let recorded = Users::update_many()
            .col_expr(UserCol::LastSeenAt, Expr::value(now))
            .filter(UserCol::Id.eq(user.0))
            .filter(UserCol::DeletedAt.is_null())
            .exec(&self.deps.db)
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "recording last seen failed");
        }
        now
    }

    /// `user`'s presence, for `me`: only people who share a conversation (or oneself), and
    /// only as `user`'s privacy lets `me` see it (hidden reads as offline, never seen).
    pub async fn of(&self, me: UserId, user: UserId) -> Result<PresenceView> {
        if me != user && !self.contacts(me).await?.contains(&user) {
            return Err(crate::error::Error::not_found());
        }
        let pairs = Pairs::load(&self.deps.db, &[me], &[user]).await?;
        let last_seen = last_seen_of(&self.deps.db, &[user]).await?;
        Ok(seen_by(&self.deps.hub, &pairs, me, user, last_seen.get(&user).copied().flatten()))
    }

    async fn announce(&self, user: UserId, online: bool, last_seen_at: Option<i64>) {
        match self.audience(user).await {
            Ok(shown) => {
                let frame = ServerFrame::Presence { user_id: user, online, last_seen_at };
                self.deps.hub.announce_presence(user, online, &shown, frame);
            }
            Err(e) => tracing::warn!(error = %e, "presence fan-out failed"),
        }
    }

    /// `user`'s contacts who may see their presence.
    async fn audience(&self, user: UserId) -> Result<Vec<UserId>> {
        let contacts = self.contacts(user).await?;
        let pairs = Pairs::load(&self.deps.db, &contacts, &[user]).await?;
        Ok(contacts.into_iter().filter(|c| pairs.may_see(*c, user, Facet::LastSeen)).collect())
    }

    /// After `user` changed who sees their last seen: every contact gets their presence as
    /// they may see it now (hidden reads as offline, never seen), and `user` gets everyone's
    /// again, since hiding one's own last seen hides everyone else's.
    pub async fn reannounce(&self, user: UserId) -> Result<()> {
        let contacts = self.contacts(user).await?;
        self.tell_each_other(user, &contacts).await
    }

    /// `user` and each of `others` get the other's presence as they may see it now (after a
    /// change of settings, a block or an unblock between them).
    pub async fn tell_each_other(&self, user: UserId, others: &[UserId]) -> Result<()> {
        // Each load keyed by `user` alone (see `Pairs::load`), one per direction.
        let toward_user = Pairs::load(&self.deps.db, others, &[user]).await?;
        let from_user = Pairs::load(&self.deps.db, &[user], others).await?;
        let everyone: Vec<UserId> = others.iter().copied().chain([user]).collect();
        let last_seen = last_seen_of(&self.deps.db, &everyone).await?;
        let seen = |u: &UserId| last_seen.get(u).copied().flatten();
        for &other in others {
            for (pairs, viewer, subject) in [(&toward_user, other, user), (&from_user, user, other)] {
                let PresenceView { online, last_seen_at } =
                    seen_by(&self.deps.hub, pairs, viewer, subject, seen(&subject));
                self.deps.hub.send_to(&[viewer], ServerFrame::Presence { user_id: subject, online, last_seen_at });
            }
        }
        Ok(())
    }

    /// Everyone who shares a conversation with `user`.
    pub async fn contacts(&self, user: UserId) -> Result<Vec<UserId>> {
        let conversations: Vec<i64> = Members::find()
            .select_only()
            .column(MemberCol::ConversationId)
            .filter(MemberCol::UserId.eq(user.0))
            .into_tuple()
            .all(&self.deps.db)
            .await?;
        let people: BTreeSet<i64> = Members::find()
            .select_only()
            .column(MemberCol::UserId)
            .filter(MemberCol::ConversationId.is_in(conversations))
            .filter(MemberCol::UserId.ne(user.0))
            .into_tuple::<i64>()
            .all(&self.deps.db)
            .await?
            .into_iter()
            .collect();
        Ok(people.into_iter().map(UserId).collect())
    }

    /// Pushes a typing indicator to the other members of a conversation the user is in.
    /// Not between two people one of whom blocked the other.
    pub async fn typing(&self, user: UserId, conversation: ConversationId) -> Result<()> {
        crate::conversations::membership(&self.deps.db, conversation, user).await?;
        if crate::privacy::blocked_in_direct(&self.deps.db, conversation, user).await?.is_some() {
            return Ok(());
        }
        let others: Vec<UserId> = crate::conversations::member_ids(&self.deps.db, conversation)
            .await?
            .into_iter()
            .filter(|u| *u != user)
            .collect();
        self.deps.hub.send_to(
            &others,
            ServerFrame::Typing {
                conversation_id: conversation,
                user_id: user,
                expires_in_ms: shared::limits::TYPING_EXPIRES_MS,
            },
        );
        Ok(())
    }
}

/// `subject`'s presence as `viewer` may see it, given when `subject` was last seen: online
/// from this node's view of every node's sockets; hidden (by their settings, the viewer's, or
/// a block) reads as offline, never seen.
pub fn seen_by(
    hub: &crate::realtime::Hub,
    pairs: &Pairs,
    viewer: UserId,
    subject: UserId,
    last_seen_at: Option<i64>,
) -> PresenceView {
    if !pairs.may_see(viewer, subject, Facet::LastSeen) {
        return PresenceView { online: false, last_seen_at: None };
    }
    let online = hub.connections(subject) > 0;
    PresenceView { online, last_seen_at: if online { None } else { last_seen_at } }
}

/// When each of `users` was last seen, in one statement.
async fn last_seen_of(
    db: &sea_orm::DatabaseConnection,
    users: &[UserId],
) -> Result<std::collections::HashMap<UserId, Option<i64>>> {
    let rows: Vec<(i64, Option<i64>)> = Users::find()
        .select_only()
        .column(UserCol::Id)
        .column(UserCol::LastSeenAt)
        .filter(UserCol::Id.is_in(users.iter().map(|u| u.0)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, seen)| (UserId(id), seen)).collect())
}
