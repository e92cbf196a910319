//! Settings, blocks, reports and "Contact info": the privacy service's writes and the reads
//! that only it answers. Everything it changes is pushed to whoever sees it differently now.

use super::block::{ActiveModel as BlockRow, Column as BlockCol, Entity as Blocks};
use super::pairs::{Facet, Pairs};
use super::report::{ActiveModel as ReportRow, Column as ReportCol, Entity as Reports, ReportedMessage};
use crate::accounts::entity::{ActiveModel as UserRow, Column as UserCol, Entity as Users};
use crate::conversations::entity::{Column as ConvCol, Entity as ConversationEntity};
use crate::conversations::member::{Column as MemberCol, Entity as Members};
use crate::conversations::{direct_key, membership};
use crate::db::now_ms;
use crate::deps::Deps;
use crate::error::{Error, Result};
use crate::messages::entity::{Column as MessageCol, Entity as MessageEntity};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::frames::ServerFrame;
use shared::{Audience, ContactInfo, ConversationId, GroupRef, Me, UserId, UserView};
use std::collections::HashSet;

/// How many of a chat's last messages a report keeps for the operator.
pub const REPORTED_MESSAGES: u64 = 20;

/// A change of settings: `None` keeps that setting as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrivacyChange {
    pub last_seen: Option<Audience>,
    pub photo: Option<Audience>,
    pub about: Option<Audience>,
    pub read_receipts: Option<bool>,
}

/// A stored report, as `server reports` prints it.
#[derive(Debug, serde::Serialize)]
pub struct ReportListing {
    pub id: i64,
    pub created_at: i64,
    pub reporter: String,
    pub reported: String,
    pub conversation_id: Option<i64>,
    pub messages: Vec<ReportedMessage>,
}

#[derive(Clone)]
pub struct PrivacyService {
    deps: Deps,
}

impl PrivacyService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Changes the caller's settings; answers their account with the new ones.
    pub async fn set(&self, me: UserId, change: PrivacyChange) -> Result<Me> {
        let user = Users::find_by_id(me.0).one(&self.deps.db).await?.ok_or_else(unauthorized)?;
        let mut row: UserRow = user.into();
        if let Some(a) = change.last_seen {
            row.last_seen_audience = Set(a.as_str().to_owned());
        }
        if let Some(a) = change.photo {
            row.photo_audience = Set(a.as_str().to_owned());
        }
        if let Some(a) = change.about {
            row.about_audience = Set(a.as_str().to_owned());
        }
        if let Some(on) = change.read_receipts {
            row.read_receipts = Set(on);
        }
        Ok(row.update(&self.deps.db).await?.into())
    }

    /// Blocks `user` for the caller (blocking twice changes nothing). Answers the direct chat
    /// between them, if there is one, whose rows changed for both.
    pub async fn block(&self, me: UserId, user: UserId) -> Result<Option<ConversationId>> {
        self.other_person(me, user).await?;
        let row = BlockRow { blocker_id: Set(me.0), blocked_id: Set(user.0), created_at: Set(now_ms()) };
        let inserted = Blocks::insert(row)
            .on_conflict(OnConflict::columns([BlockCol::BlockerId, BlockCol::BlockedId]).do_nothing().to_owned())
            .exec(&self.deps.db)
            .await;
        match inserted {
            // Blocked already: nothing to change.
            Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
        self.changed_between(me, user).await
    }

    pub async fn unblock(&self, me: UserId, user: UserId) -> Result<Option<ConversationId>> {
        self.other_person(me, user).await?;
        Blocks::delete_many()
            .filter(BlockCol::BlockerId.eq(me.0))
            .filter(BlockCol::BlockedId.eq(user.0))
            .exec(&self.deps.db)
            .await?;
        self.changed_between(me, user).await
    }

    /// Drops every block by or of `user` (their account was deleted).
    pub async fn forget(&self, user: UserId) -> Result<()> {
        Blocks::delete_many()
            .filter(sea_orm::Condition::any().add(BlockCol::BlockerId.eq(user.0)).add(BlockCol::BlockedId.eq(user.0)))
            .exec(&self.deps.db)
            .await?;
        Ok(())
    }

    /// The people the caller blocked, most recent first.
    pub async fn blocked(&self, me: UserId) -> Result<Vec<UserView>> {
        let ids: Vec<i64> = Blocks::find()
            .select_only()
            .column(BlockCol::BlockedId)
            .filter(BlockCol::BlockerId.eq(me.0))
            .order_by_desc(BlockCol::CreatedAt)
            .into_tuple()
            .all(&self.deps.db)
            .await?;
        let mut users: Vec<UserView> = Users::find()
            .filter(UserCol::Id.is_in(ids.clone()))
            .all(&self.deps.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        users.sort_by_key(|u| ids.iter().position(|id| *id == u.id.0));
        let pairs = Pairs::load(&self.deps.db, &[me], &ids.into_iter().map(UserId).collect::<Vec<_>>()).await?;
        users.iter_mut().for_each(|u| pairs.redact(me, u));
        Ok(users)
    }

    /// Keeps the last messages of the caller's one-to-one chat with `user` for the operator
    /// (what the caller can see of it), and blocks them too when asked.
    pub async fn report(&self, me: UserId, user: UserId, and_block: bool) -> Result<Option<ConversationId>> {
        self.other_person(me, user).await?;
        let db = &self.deps.db;
        let conversation = self.direct_between(me, user).await?;
        let mut messages = Vec::new();
        if let Some(conversation) = conversation {
            let joined = membership(db, conversation, me).await?.joined_seq;
            let rows = MessageEntity::find()
                .filter(MessageCol::ConversationId.eq(conversation.0))
                .filter(MessageCol::Seq.gt(joined))
                .filter(crate::messages::marks::not_hidden_by(me))
                .order_by_desc(MessageCol::Seq)
                .limit(REPORTED_MESSAGES)
                .all(db)
                .await?;
            for m in crate::messages::store::views(db, rows).await?.into_iter().rev() {
                messages.push(ReportedMessage {
                    id: m.id.0,
                    sender_id: m.sender_id.map(|u| u.0),
                    created_at: m.created_at,
                    body: m.body,
                    attachment: m.attachment.map(|a| a.kind.as_str().to_owned()),
                });
            }
        }
        let row = ReportRow {
            reporter_id: Set(me.0),
            reported_id: Set(user.0),
            conversation_id: Set(conversation.map(|c| c.0)),
            created_at: Set(now_ms()),
            messages: Set(serde_json::to_string(&messages).map_err(|e| Error::Internal(e.to_string()))?),
            ..Default::default()
        };
        row.insert(db).await?;
        tracing::info!(reporter = me.0, reported = user.0, "a report was filed");
        if and_block {
            self.block(me, user).await?;
        }
        Ok(conversation)
    }

    /// "Contact info": someone who shares a chat with the caller, or whom the caller blocked,
    /// as their settings let the caller see them. Anyone else is `not_found`.
    pub async fn profile(&self, me: UserId, user: UserId) -> Result<ContactInfo> {
        let db = &self.deps.db;
        let person = Users::find_by_id(user.0).one(db).await?.ok_or_else(Error::not_found)?;
        let pairs = Pairs::load(db, &[me], &[user]).await?;
        let shared_chats = self.shared_chats(me, user).await?;
        if me == user || (shared_chats.is_empty() && !pairs.blocked(me, user)) {
            return Err(Error::not_found());
        }
        let groups: Vec<GroupRef> = if shared_chats.is_empty() {
            Vec::new()
        } else {
            let counts: std::collections::HashMap<i64, i64> = Members::find()
                .select_only()
                .column(MemberCol::ConversationId)
                .column_as(MemberCol::UserId.count(), "n")
                .filter(MemberCol::ConversationId.is_in(shared_chats.clone()))
                .group_by(MemberCol::ConversationId)
                .into_tuple::<(i64, i64)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
            ConversationEntity::find()
                .filter(ConvCol::Id.is_in(shared_chats))
                .filter(ConvCol::Kind.eq("group"))
                .order_by_desc(ConvCol::LastActivityAt)
                .all(db)
                .await?
                .into_iter()
                .map(|c| GroupRef {
                    id: ConversationId(c.id),
                    title: c.title.unwrap_or_default(),
                    member_count: counts.get(&c.id).copied().unwrap_or(0),
                })
                .collect()
        };
        let presence = pairs
            .may_see(me, user, Facet::LastSeen)
            .then(|| crate::presence::seen_by(&self.deps.hub, &pairs, me, user, person.last_seen_at));
        let mut view = UserView::from(person);
        pairs.redact(me, &mut view);
        Ok(ContactInfo { user: view, presence, common_groups: groups, blocked: pairs.blocked(me, user) })
    }

    /// The conversations both are members of.
    async fn shared_chats(&self, a: UserId, b: UserId) -> Result<Vec<i64>> {
        let mine: Vec<i64> = Members::find()
            .select_only()
            .column(MemberCol::ConversationId)
            .filter(MemberCol::UserId.eq(a.0))
            .into_tuple()
            .all(&self.deps.db)
            .await?;
        Ok(Members::find()
            .select_only()
            .column(MemberCol::ConversationId)
            .filter(MemberCol::UserId.eq(b.0))
            .filter(MemberCol::ConversationId.is_in(mine))
            .into_tuple()
            .all(&self.deps.db)
            .await?)
    }

    async fn direct_between(&self, a: UserId, b: UserId) -> Result<Option<ConversationId>> {
        Ok(ConversationEntity::find()
            .filter(ConvCol::DirectKey.eq(direct_key(a, b)))
            .one(&self.deps.db)
            .await?
            .map(|c| ConversationId(c.id)))
    }

    /// Someone other than the caller who exists.
    async fn other_person(&self, me: UserId, user: UserId) -> Result<()> {
        if me == user {
            return Err(Error::invalid("user_id", "That is you."));
        }
        Users::find_by_id(user.0).one(&self.deps.db).await?.ok_or_else(Error::not_found)?;
        Ok(())
    }

    /// After a block or unblock: both refetch their chat with each other (its peer, its
    /// ticks and whether it can be written to); the caller re-sends their presence.
    async fn changed_between(&self, me: UserId, user: UserId) -> Result<Option<ConversationId>> {
        let conversation = self.direct_between(me, user).await?;
        if let Some(conversation) = conversation {
            self.deps.hub.send_to(&[me, user], ServerFrame::ConversationUpdated { conversation_id: conversation });
        }
        Ok(conversation)
    }
}

/// The newest reports first, for the operator's `server reports`.
pub async fn reports(db: &sea_orm::DatabaseConnection, limit: u64) -> Result<Vec<ReportListing>> {
    let rows = Reports::find().order_by_desc(ReportCol::Id).limit(limit).all(db).await?;
    let people: HashSet<i64> = rows.iter().flat_map(|r| [r.reporter_id, r.reported_id]).collect();
    let names: std::collections::HashMap<i64, String> = Users::find()
        .filter(UserCol::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id} (deleted)"));
    Ok(rows
        .into_iter()
        .map(|r| ReportListing {
            id: r.id,
            created_at: r.created_at,
            reporter: name(r.reporter_id),
            reported: name(r.reported_id),
            conversation_id: r.conversation_id,
            messages: serde_json::from_str(&r.messages).unwrap_or_default(),
        })
        .collect())
}

fn unauthorized() -> Error {
    Error::Api(shared::ApiError::unauthorized())
}
