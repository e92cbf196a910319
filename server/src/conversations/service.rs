use super::adding::{AddLimits, check_allowed, direct_key, people};
use super::entity::{self as conversation, ActiveModel as ConversationRow, Entity as ConversationEntity};
use super::list::{self, Rows};
use super::member::{self, ActiveModel as MemberRow, Column as MemberCol, Entity as Members};
use crate::accounts::entity::{Column as UserCol, Entity as Users};
use crate::db::now_ms;
use crate::deps::Deps;
use crate::error::{Error, Result};
use crate::messages::store;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, SqlErr,
    TransactionTrait,
};
use shared::frames::ServerFrame;
use shared::limits::GROUP_MAX_MEMBERS;
use shared::{
    ConversationDetail, ConversationFlags, ConversationId, ConversationSummary, ListCursor, MemberView, Role, UserId,
    UserView, validate,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Clone)]
pub struct Conversations {
    deps: Deps,
    limits: Arc<AddLimits>,
}

impl Conversations {
    pub fn new(deps: Deps) -> Self {
        Self { deps, limits: Arc::new(AddLimits::new()) }
    }

    pub fn forget_idle_limits(&self) {
        self.limits.forget_idle();
    }

    /// The caller's membership, or `not_found` (never "forbidden": non-members must not learn
    /// that the conversation exists).
    pub async fn membership(&self, conversation: ConversationId, user: UserId) -> Result<member::Model> {
        membership(&self.deps.db, conversation, user).await
    }

    pub async fn member_ids(&self, conversation: ConversationId) -> Result<Vec<UserId>> {
        member_ids(&self.deps.db, conversation).await
    }

    /// A page of the caller's chat list (see [`list`]).
    pub async fn list(
        &self,
        me: UserId,
        after: Option<ListCursor>,
        limit: Option<u32>,
    ) -> Result<Vec<ConversationSummary>> {
        list::summaries(&self.deps.db, me, Rows::Page { after, limit: limit.unwrap_or(ListCursor::PAGE) }).await
    }

    /// One row of the caller's chat list; `not_found` unless they are a member.
    pub async fn summary(&self, me: UserId, conversation: ConversationId) -> Result<ConversationSummary> {
        list::summaries(&self.deps.db, me, Rows::Only(vec![conversation])).await?.pop().ok_or_else(Error::not_found)
    }

    /// The caller's rows of these chats, in list order (those they are not in are left out).
    pub async fn summaries(&self, me: UserId, conversations: Vec<ConversationId>) -> Result<Vec<ConversationSummary>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        list::summaries(&self.deps.db, me, Rows::Only(conversations)).await
    }

    pub async fn detail(&self, me: UserId, conversation: ConversationId) -> Result<ConversationDetail> {
        let summary = self.summary(me, conversation).await?;
        let members = self.members(me, conversation).await?;
        Ok(ConversationDetail { summary, members })
    }

    /// Every member with their watermarks, owners first, as `viewer` may see them: profiles
    /// redacted by their owners' privacy, and in a one-to-one chat the other's reads only
    /// while both share read receipts (0 otherwise).
    pub async fn members(&self, viewer: UserId, conversation: ConversationId) -> Result<Vec<MemberView>> {
        let rows = Members::find().filter(MemberCol::ConversationId.eq(conversation.0)).all(&self.deps.db).await?;
        let ids: Vec<UserId> = rows.iter().map(|m| UserId(m.user_id)).collect();
        let pairs = crate::privacy::Pairs::load(&self.deps.db, &[viewer], &ids).await?;
        let direct = rows.len() == 2
            && ConversationEntity::find_by_id(conversation.0)
                .one(&self.deps.db)
                .await?
                .is_some_and(|c| c.kind == "direct");
        let users: HashMap<i64, UserView> = Users::find()
            .filter(UserCol::Id.is_in(rows.iter().map(|m| m.user_id)))
            .all(&self.deps.db)
            .await?
            .into_iter()
            .map(|u| (u.id, UserView::from(u)))
            .collect();
        let mut members: Vec<MemberView> = rows
            .into_iter()
            .filter_map(|m| {
                let mut user = users.get(&m.user_id)?.clone();
                pairs.redact(viewer, &mut user);
                let reads_hidden = direct && !pairs.shares_reads(viewer, user.id);
                Some(MemberView {
                    user,
                    role: Role::parse(&m.role),
                    delivered_seq: m.delivered_seq,
                    read_seq: if reads_hidden { 0 } else { m.read_seq },
                })
            })
            .collect();
        members.sort_by(|a, b| b.role.cmp(&a.role).then(a.user.display_name.cmp(&b.user.display_name)));
        Ok(members)
    }

    /// The direct chat between `me` and `other`, created on first use.
    pub async fn open_direct(&self, me: UserId, other: UserId) -> Result<ConversationSummary> {
        if me == other {
            return Err(Error::invalid("user_id", "You cannot start a chat with yourself."));
        }
        // A deleted account can be written to no more: no new chat with it either.
        if Users::find_by_id(other.0).one(&self.deps.db).await?.is_none_or(|u| u.deleted_at.is_some()) {
            return Err(Error::not_found());
        }
        let key = direct_key(me, other);
        if let Some(existing) = self.find_direct(&key).await? {
            return self.summary(me, ConversationId(existing.id)).await;
        }
        let created = {
            let _gate = self.deps.write_gate.enter().await;
            let txn = self.deps.db.begin().await?;
            let inserted = new_conversation("direct", None, Some(key.clone()), me).insert(&txn).await;
            match inserted {
                Ok(conv) => {
                    for user in [me, other] {
                        insert_member(&txn, conv.id, user, Role::Member, 0).await?;
                    }
                    txn.commit().await?;
                    Some(conv)
                }
                // Both people opened the chat at the same moment: use the one that won.
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => None,
                Err(e) => return Err(e.into()),
            }
        };
        let conv = match created {
            Some(conv) => conv,
            None => self.find_direct(&key).await?.ok_or_else(Error::not_found)?,
        };
        self.notify(&[me, other], ConversationId(conv.id));
        self.summary(me, ConversationId(conv.id)).await
    }

    async fn find_direct(&self, key: &str) -> Result<Option<conversation::Model>> {
        Ok(ConversationEntity::find().filter(conversation::Column::DirectKey.eq(key)).one(&self.deps.db).await?)
    }

    pub async fn create_group(&self, me: UserId, title: &str, members: Vec<UserId>) -> Result<ConversationSummary> {
        let title = validate::group_title(title)?;
        let others: BTreeSet<UserId> = members.into_iter().filter(|u| *u != me).collect();
        if others.len() + 1 > GROUP_MAX_MEMBERS {
            return Err(Error::invalid("members", format!("A group can have at most {GROUP_MAX_MEMBERS} members.")));
        }
        self.limits.create_group(me)?;
        let people = people(&self.deps.db, &others).await?;
        check_allowed(&self.deps.db, me, &people).await?;
        self.limits.add_people(me, others.len())?;
        let creator = self.display_name(me).await?;
        let conv = {
            let _gate = self.deps.write_gate.enter().await;
            let txn = self.deps.db.begin().await?;
            let conv = new_conversation("group", Some(title.clone()), None, me).insert(&txn).await?;
            insert_member(&txn, conv.id, me, Role::Owner, 0).await?;
            for user in &others {
                insert_member(&txn, conv.id, *user, Role::Member, 0).await?;
            }
            let body = format!("{creator} created the group \"{title}\"");
            store::append(&txn, ConversationId(conv.id), store::NewMessage::system(body)).await?;
            txn.commit().await?;
            conv
        };
        let everyone: Vec<UserId> = std::iter::once(me).chain(others).collect();
        self.notify(&everyone, ConversationId(conv.id));
        self.summary(me, ConversationId(conv.id)).await
    }

    pub async fn rename(&self, me: UserId, conversation: ConversationId, title: &str) -> Result<ConversationDetail> {
        let title = validate::group_title(title)?;
        self.require_manager(conversation, me).await?;
        let name = self.display_name(me).await?;
        self.change(conversation, format!("{name} renamed the group to \"{title}\""), |txn| {
            let title = title.clone();
            Box::pin(async move {
                conversation::Entity::update_many()
                    .col_expr(conversation::Column::Title, sea_orm::sea_query::Expr::value(title))
                    .filter(conversation::Column::Id.eq(conversation.0))
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await?;
        self.detail(me, conversation).await
    }

    pub async fn add_members(
        &self,
        me: UserId,
        conversation: ConversationId,
        users: Vec<UserId>,
    ) -> Result<ConversationDetail> {
        self.require_manager(conversation, me).await?;
        let current: BTreeSet<UserId> = self.member_ids(conversation).await?.into_iter().collect();
        let new: BTreeSet<UserId> = users.into_iter().filter(|u| !current.contains(u)).collect();
        if new.is_empty() {
            return self.detail(me, conversation).await;
        }
        if current.len() + new.len() > GROUP_MAX_MEMBERS {
            return Err(Error::invalid("members", format!("A group can have at most {GROUP_MAX_MEMBERS} members.")));
        }
        let people = people(&self.deps.db, &new).await?;
        check_allowed(&self.deps.db, me, &people).await?;
        self.limits.add_people(me, new.len())?;
        let name = self.display_name(me).await?;
        let names = people.iter().map(|u| u.display_name.as_str()).collect::<Vec<_>>().join(", ");
        let added = new.clone();
        self.change(conversation, format!("{name} added {names}"), move |txn| {
            let added = added.clone();
            Box::pin(async move {
                let conv =
                    ConversationEntity::find_by_id(conversation.0).one(txn).await?.ok_or_else(Error::not_found)?;
                for user in added {
                    // The system message "X added Y" was just appended: let them see it.
                    insert_member(txn, conversation.0, user, Role::Member, conv.last_seq - 1).await?;
                }
                Ok(())
            })
        })
        .await?;
        self.notify(&new.into_iter().collect::<Vec<_>>(), conversation);
        self.detail(me, conversation).await
    }

    pub async fn remove_member(
        &self,
        me: UserId,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<ConversationDetail> {
        if user == me {
            self.leave(me, conversation).await?;
            return Err(Error::not_found());
        }
        let my_role = self.require_manager(conversation, me).await?;
        let target = self.membership(conversation, user).await?;
        if Role::parse(&target.role) >= my_role {
            return Err(Error::forbidden("You can only remove members below your own role."));
        }
        let name = self.display_name(me).await?;
        let target_name = self.display_name(user).await?;
        self.change(conversation, format!("{name} removed {target_name}"), move |txn| {
            Box::pin(async move {
                Members::delete_by_id((conversation.0, user.0)).exec(txn).await?;
                Ok(())
            })
        })
        .await?;
        self.deps.hub.send_to(&[user], ServerFrame::ConversationRemoved { conversation_id: conversation });
        self.detail(me, conversation).await
    }

    pub async fn set_role(
        &self,
        me: UserId,
        conversation: ConversationId,
        user: UserId,
        role: Role,
    ) -> Result<ConversationDetail> {
        let my_role = self.require_manager(conversation, me).await?;
        let target = self.membership(conversation, user).await?;
        if role == Role::Owner || Role::parse(&target.role) >= my_role || user == me {
            return Err(Error::forbidden("You cannot change that member's role."));
        }
        let name = self.display_name(me).await?;
        let target_name = self.display_name(user).await?;
        let text = match role {
            Role::Admin => format!("{name} made {target_name} an admin"),
            _ => format!("{name} made {target_name} a member"),
        };
        self.change(conversation, text, move |txn| {
            Box::pin(async move {
                Members::update_many()
                    .col_expr(MemberCol::Role, sea_orm::sea_query::Expr::value(role.as_str()))
                    .filter(MemberCol::ConversationId.eq(conversation.0))
                    .filter(MemberCol::UserId.eq(user.0))
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await?;
        self.detail(me, conversation).await
    }

    /// Leaves a group. An owner who leaves hands ownership to the longest-standing member.
    pub async fn leave(&self, me: UserId, conversation: ConversationId) -> Result<()> {
        let membership = self.membership(conversation, me).await?;
        let conv =
            ConversationEntity::find_by_id(conversation.0).one(&self.deps.db).await?.ok_or_else(Error::not_found)?;
        if conv.kind != "group" {
            return Err(Error::invalid("conversation_id", "You can only leave groups."));
        }
        let name = self.display_name(me).await?;
        let was_owner = Role::parse(&membership.role) == Role::Owner;
        self.change(conversation, format!("{name} left"), move |txn| {
            Box::pin(async move {
                Members::delete_by_id((conversation.0, me.0)).exec(txn).await?;
                if was_owner {
                    let heir = Members::find()
                        .filter(MemberCol::ConversationId.eq(conversation.0))
                        .all(txn)
                        .await?
                        .into_iter()
                        .max_by_key(|m| (Role::parse(&m.role), -m.joined_at));
                    if let Some(heir) = heir {
                        Members::update_many()
                            .col_expr(MemberCol::Role, sea_orm::sea_query::Expr::value(Role::Owner.as_str()))
                            .filter(MemberCol::ConversationId.eq(conversation.0))
                            .filter(MemberCol::UserId.eq(heir.user_id))
                            .exec(txn)
                            .await?;
                    }
                }
                Ok(())
            })
        })
        .await?;
        self.deps.hub.send_to(&[me], ServerFrame::ConversationRemoved { conversation_id: conversation });
        Ok(())
    }

    /// The groups `user` is in.
    pub async fn groups_of(&self, user: UserId) -> Result<Vec<ConversationId>> {
        use sea_orm::sea_query::Query;
        let mine = Query::select()
            .column(MemberCol::ConversationId)
            .from(Members)
            .and_where(MemberCol::UserId.eq(user.0))
            .to_owned();
        let ids: Vec<i64> = ConversationEntity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::Id.in_subquery(mine))
            .filter(conversation::Column::Kind.eq("group"))
            .into_tuple()
            .all(&self.deps.db)
            .await?;
        Ok(ids.into_iter().map(ConversationId).collect())
    }

    pub async fn set_flags(
        &self,
        me: UserId,
        conversation: ConversationId,
        flags: ConversationFlags,
    ) -> Result<ConversationSummary> {
        let membership = self.membership(conversation, me).await?;
        let mut row: MemberRow = membership.into();
        if let Some(pinned) = flags.pinned {
            row.pinned = Set(pinned);
        }
        if let Some(archived) = flags.archived {
            row.archived = Set(archived);
        }
        if let Some(muted) = flags.muted {
            row.muted = Set(muted);
        }
        row.update(&self.deps.db).await?;
        self.notify(&[me], conversation);
        self.summary(me, conversation).await
    }

    /// Runs a membership or title change with its system message in one transaction, then
    /// tells every member (before and after the change) to refetch.
    async fn change<F>(&self, conversation: ConversationId, system_text: String, apply: F) -> Result<()>
    where
        F: for<'t> FnOnce(
            &'t sea_orm::DatabaseTransaction,
        ) -> std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 't>>,
    {
        let before = self.member_ids(conversation).await?;
        let message = {
            let _gate = self.deps.write_gate.enter().await;
            let txn = self.deps.db.begin().await?;
            let message = store::append(&txn, conversation, store::NewMessage::system(system_text)).await?;
            apply(&txn).await?;
            txn.commit().await?;
            message
        };
        let after = self.member_ids(conversation).await?;
        let everyone: BTreeSet<UserId> = before.into_iter().chain(after.iter().copied()).collect();
        self.notify(&everyone.into_iter().collect::<Vec<_>>(), conversation);
        let view = message.view(None, None);
        self.deps.hub.send_to(&after, ServerFrame::Message { message: view });
        Ok(())
    }

    /// Tells everyone who shares a chat with `user` to fetch it again (their name or picture
    /// changed).
    /// One query for every member of every chat of `user`, however many chats.
    pub async fn announce_profile(&self, user: UserId) -> Result<()> {
        use sea_orm::sea_query::Query;
        let chats_of_user = Query::select()
            .column(MemberCol::ConversationId)
            .from(Members)
            .and_where(MemberCol::UserId.eq(user.0))
            .to_owned();
        let rows = Members::find()
            .select_only()
            .column(MemberCol::ConversationId)
            .column(MemberCol::UserId)
            .filter(MemberCol::ConversationId.in_subquery(chats_of_user))
            .into_tuple::<(i64, i64)>()
            .all(&self.deps.db)
            .await?;
        let mut by_chat: HashMap<i64, Vec<UserId>> = HashMap::new();
        for (conversation, member) in rows {
            by_chat.entry(conversation).or_default().push(UserId(member));
        }
        for (conversation, members) in by_chat {
            self.notify(&members, ConversationId(conversation));
        }
        Ok(())
    }

    fn notify(&self, users: &[UserId], conversation: ConversationId) {
        self.deps.hub.send_to(users, ServerFrame::ConversationUpdated { conversation_id: conversation });
    }

    async fn require_manager(&self, conversation: ConversationId, me: UserId) -> Result<Role> {
        let membership = self.membership(conversation, me).await?;
        let conv =
            ConversationEntity::find_by_id(conversation.0).one(&self.deps.db).await?.ok_or_else(Error::not_found)?;
        if conv.kind != "group" {
            return Err(Error::invalid("conversation_id", "Only groups have members to manage."));
        }
        let role = Role::parse(&membership.role);
        if !role.can_manage() {
            return Err(Error::forbidden("Only group admins can do that."));
        }
        Ok(role)
    }

    async fn display_name(&self, user: UserId) -> Result<String> {
        Ok(Users::find_by_id(user.0).one(&self.deps.db).await?.map(|u| u.display_name).unwrap_or_default())
    }
}

pub async fn membership(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    user: UserId,
) -> Result<member::Model> {
    Members::find_by_id((conversation.0, user.0)).one(db).await?.ok_or_else(Error::not_found)
}

pub async fn member_ids(db: &impl ConnectionTrait, conversation: ConversationId) -> Result<Vec<UserId>> {
    Ok(Members::find()
        .filter(MemberCol::ConversationId.eq(conversation.0))
        .all(db)
        .await?
        .into_iter()
        .map(|m| UserId(m.user_id))
        .collect())
}

fn new_conversation(kind: &str, title: Option<String>, direct_key: Option<String>, creator: UserId) -> ConversationRow {
    let now = now_ms();
    ConversationRow {
        kind: Set(kind.to_owned()),
        title: Set(title),
        direct_key: Set(direct_key),
        created_by: Set(creator.0),
        created_at: Set(now),
        last_seq: Set(0),
        rev: Set(0),
        last_activity_at: Set(now),
        ..Default::default()
    }
}

async fn insert_member(
    db: &impl ConnectionTrait,
    conversation: i64,
    user: UserId,
    role: Role,
    joined_seq: i64,
) -> Result<()> {
    MemberRow {
        conversation_id: Set(conversation),
        user_id: Set(user.0),
        role: Set(role.as_str().to_owned()),
        joined_at: Set(now_ms()),
        joined_seq: Set(joined_seq),
        delivered_seq: Set(joined_seq),
        read_seq: Set(joined_seq),
        pinned: Set(false),
        archived: Set(false),
        muted: Set(false),
    }
    .insert(db)
    .await?;
    Ok(())
}
