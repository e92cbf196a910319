//! The server's services, and their face towards the app: each `Backend` method is one call
//! into a domain service, with the service's error turned into the wire error. The WebSocket
//! handler calls the very same services.

use crate::accounts::Accounts;
use crate::conversations::Conversations;
use crate::messages::{Messages, Outgoing};
use crate::presence::Presence;
use crate::receipts::{Mark, Receipts};
use app::backend::{Backend, ClientInfo};
use async_trait::async_trait;
use shared::{
    ApiError, ConversationDetail, ConversationFlags, ConversationId, ConversationSummary, HistoryPage, Me, MessageId,
    MessageMark, MessageView, PresenceView, Receipt, Rev, Role, SearchHit, Seq, StarredCursor, StarredPage, SyncPage,
    UserId, UserView,
};
use tower_sessions::session::Id;

pub struct Services {
    pub accounts: Accounts,
    pub conversations: Conversations,
    pub messages: Messages,
    pub receipts: Receipts,
    pub presence: Presence,
    pub privacy: crate::privacy::PrivacyService,
    pub media: crate::media::Media,
    /// Whether an open socket's session still stands.
    pub sessions: crate::sessions::Sessions,
}

#[async_trait]
impl Backend for Services {
    async fn register(
        &self,
        username: String,
        display_name: String,
        password: String,
        client: ClientInfo,
    ) -> Result<Me, ApiError> {
        Ok(self.accounts.register(&username, &display_name, password, client.ip).await?)
    }

    async fn login(&self, username: String, password: String, client: ClientInfo) -> Result<Me, ApiError> {
        Ok(self.accounts.login(&username, password, client.ip).await?)
    }

    async fn session_ended(&self, session: Id) {
        self.presence.hub().end_session(crate::sessions::SessionKey::of(&session)).await;
    }

    async fn change_password(
        &self,
        me: UserId,
        current_password: String,
        new_password: String,
        client: ClientInfo,
    ) -> Result<(), ApiError> {
        Ok(self.accounts.change_password(me, current_password, new_password, client.ip).await?)
    }

    async fn delete_account(
        &self,
        me: UserId,
        current: Id,
        password: String,
        client: ClientInfo,
    ) -> Result<(), ApiError> {
        self.accounts.confirm_password(me, password, client.ip).await?;
        // Sessions first: nothing of this account acts while the rest goes.
        for key in self.sessions.end_others(me, &current).await? {
            self.presence.hub().end_session(key).await;
        }
        // Leaving says "<name> left" under the name the others knew.
        for group in self.conversations.groups_of(me).await? {
            self.conversations.leave(me, group).await?;
        }
        self.media.forget_uploads_of(me).await?;
        self.privacy.forget(me).await?;
        self.accounts.mark_deleted(me).await?;
        // One-to-one chats stay, now with "Deleted account": their other person refetches.
        self.conversations.announce_profile(me).await?;
        tracing::info!(user = me.0, "an account was deleted");
        Ok(())
    }

    async fn devices(&self, me: UserId, current: Id) -> Result<Vec<shared::Device>, ApiError> {
        Ok(self.sessions.devices(me, &current).await?)
    }

    async fn end_device(&self, me: UserId, current: Id, device: String) -> Result<(), ApiError> {
        let ended = self.sessions.end_device(me, &current, &device).await?;
        self.presence.hub().end_session(ended).await;
        Ok(())
    }

    async fn end_other_devices(&self, me: UserId, current: Id) -> Result<u64, ApiError> {
        let ended = self.sessions.end_others(me, &current).await?;
        for key in &ended {
            self.presence.hub().end_session(*key).await;
        }
        Ok(ended.len() as u64)
    }

    async fn session_renewed(&self, old: Id) {
        let hub = self.presence.hub().clone();
        let key = crate::sessions::SessionKey::of(&old);
        tokio::spawn(async move {
            tokio::time::sleep(crate::sessions::RENEWED_GRACE).await;
            hub.end_session(key).await;
        });
    }

    async fn me(&self, user: UserId) -> Result<Me, ApiError> {
        Ok(self.accounts.me(user).await?)
    }

    async fn update_profile(&self, me: UserId, display_name: String, about: String) -> Result<Me, ApiError> {
        let updated = self.accounts.update_profile(me, &display_name, &about).await?;
        self.conversations.announce_profile(me).await?;
        Ok(updated)
    }

    async fn set_group_adds(&self, me: UserId, group_adds: shared::GroupAdds) -> Result<Me, ApiError> {
        Ok(self.accounts.set_group_adds(me, group_adds).await?)
    }

    async fn set_avatar(&self, me: UserId, avatar: Option<shared::MediaId>) -> Result<Me, ApiError> {
        if let Some(avatar) = &avatar {
            self.media.check_avatar(me, avatar).await?;
        }
        let (updated, previous) = self.accounts.set_avatar(me, avatar.clone()).await?;
        if let Some(previous) = previous.filter(|p| Some(p) != avatar.as_ref().map(|a| &a.0)) {
            self.media.forget(&previous).await?;
        }
        self.conversations.announce_profile(me).await?;
        Ok(updated)
    }

    async fn set_privacy(
        &self,
        me: UserId,
        last_seen: Option<shared::Audience>,
        photo: Option<shared::Audience>,
        about: Option<shared::Audience>,
        read_receipts: Option<bool>,
    ) -> Result<Me, ApiError> {
        let change = crate::privacy::PrivacyChange { last_seen, photo, about, read_receipts };
        let updated = self.privacy.set(me, change).await?;
        // Whoever shares a chat refetches it (photo, about, ticks); presence goes out anew.
        self.conversations.announce_profile(me).await?;
        if last_seen.is_some() {
            self.presence.reannounce(me).await?;
        }
        Ok(updated)
    }

    async fn block_user(&self, me: UserId, user: UserId) -> Result<(), ApiError> {
        self.privacy.block(me, user).await?;
        Ok(self.presence.tell_each_other(me, &[user]).await?)
    }

    async fn unblock_user(&self, me: UserId, user: UserId) -> Result<(), ApiError> {
        self.privacy.unblock(me, user).await?;
        Ok(self.presence.tell_each_other(me, &[user]).await?)
    }

    async fn blocked_users(&self, me: UserId) -> Result<Vec<UserView>, ApiError> {
        Ok(self.privacy.blocked(me).await?)
    }

    async fn report_user(&self, me: UserId, user: UserId, block: bool) -> Result<(), ApiError> {
        self.privacy.report(me, user, block).await?;
        if block {
            self.presence.tell_each_other(me, &[user]).await?;
        }
        Ok(())
    }

    async fn contact_info(&self, me: UserId, user: UserId) -> Result<shared::ContactInfo, ApiError> {
        Ok(self.privacy.profile(me, user).await?)
    }

    async fn search_users(&self, me: UserId, query: String) -> Result<Vec<UserView>, ApiError> {
        Ok(self.accounts.search(me, &query).await?)
    }

    async fn presence(&self, me: UserId, user: UserId) -> Result<PresenceView, ApiError> {
        Ok(self.presence.of(me, user).await?)
    }

    async fn conversations(
        &self,
        me: UserId,
        after: Option<shared::ListCursor>,
        limit: Option<u32>,
    ) -> Result<Vec<ConversationSummary>, ApiError> {
        Ok(self.conversations.list(me, after, limit).await?)
    }

    async fn conversation(&self, me: UserId, id: ConversationId) -> Result<ConversationDetail, ApiError> {
        Ok(self.conversations.detail(me, id).await?)
    }

    async fn open_direct(&self, me: UserId, user: UserId) -> Result<ConversationSummary, ApiError> {
        Ok(self.conversations.open_direct(me, user).await?)
    }

    async fn create_group(
        &self,
        me: UserId,
        title: String,
        members: Vec<UserId>,
    ) -> Result<ConversationSummary, ApiError> {
        Ok(self.conversations.create_group(me, &title, members).await?)
    }

    async fn rename_group(
        &self,
        me: UserId,
        id: ConversationId,
        title: String,
    ) -> Result<ConversationDetail, ApiError> {
        Ok(self.conversations.rename(me, id, &title).await?)
    }

    async fn add_members(
        &self,
        me: UserId,
        id: ConversationId,
        members: Vec<UserId>,
    ) -> Result<ConversationDetail, ApiError> {
        Ok(self.conversations.add_members(me, id, members).await?)
    }

    async fn remove_member(
        &self,
        me: UserId,
        id: ConversationId,
        user: UserId,
    ) -> Result<ConversationDetail, ApiError> {
        Ok(self.conversations.remove_member(me, id, user).await?)
    }

    async fn set_role(
        &self,
        me: UserId,
        id: ConversationId,
        user: UserId,
        role: Role,
    ) -> Result<ConversationDetail, ApiError> {
        Ok(self.conversations.set_role(me, id, user, role).await?)
    }

    async fn leave(&self, me: UserId, id: ConversationId) -> Result<(), ApiError> {
        Ok(self.conversations.leave(me, id).await?)
    }

    async fn set_flags(
        &self,
        me: UserId,
        id: ConversationId,
        flags: ConversationFlags,
    ) -> Result<ConversationSummary, ApiError> {
        Ok(self.conversations.set_flags(me, id, flags).await?)
    }

    async fn history(&self, me: UserId, id: ConversationId, before: Option<Seq>) -> Result<HistoryPage, ApiError> {
        Ok(self.messages.history(me, id, before).await?)
    }

    async fn sync(&self, me: UserId, id: ConversationId, after_rev: Rev) -> Result<SyncPage, ApiError> {
        Ok(self.messages.sync(me, id, after_rev).await?)
    }

    async fn send(
        &self,
        me: UserId,
        id: ConversationId,
        client_msg_id: String,
        body: String,
        reply_to: Option<MessageId>,
        attachment: Option<shared::MediaId>,
    ) -> Result<MessageView, ApiError> {
        let outgoing = Outgoing { client_msg_id, body, reply_to, attachment };
        Ok(self.messages.send(me, id, outgoing).await?.message)
    }

    async fn edit(&self, me: UserId, message: MessageId, body: String) -> Result<MessageView, ApiError> {
        Ok(self.messages.edit(me, message, &body).await?)
    }

    async fn delete(&self, me: UserId, message: MessageId) -> Result<MessageView, ApiError> {
        Ok(self.messages.delete(me, message).await?)
    }

    async fn react(&self, me: UserId, message: MessageId, emoji: Option<String>) -> Result<MessageView, ApiError> {
        Ok(self.messages.react(me, message, emoji.as_deref()).await?)
    }

    async fn forward(
        &self,
        me: UserId,
        messages: Vec<MessageId>,
        targets: Vec<ConversationId>,
    ) -> Result<Vec<MessageView>, ApiError> {
        Ok(self.messages.forward(me, &messages, &targets).await?)
    }

    async fn star(&self, me: UserId, message: MessageId, starred: bool) -> Result<MessageMark, ApiError> {
        Ok(self.messages.star(me, message, starred).await?)
    }

    async fn hide(
        &self,
        me: UserId,
        id: ConversationId,
        messages: Vec<MessageId>,
    ) -> Result<Vec<MessageMark>, ApiError> {
        Ok(self.messages.hide(me, id, &messages).await?)
    }

    async fn starred(&self, me: UserId, before: Option<StarredCursor>) -> Result<StarredPage, ApiError> {
        Ok(self.messages.starred(me, before).await?)
    }

    async fn mark(&self, me: UserId, id: ConversationId, seq: Seq, read: bool) -> Result<Receipt, ApiError> {
        let mark = if read { Mark::Read } else { Mark::Delivered };
        Ok(self.receipts.mark(me, id, seq, mark).await?)
    }

    async fn search(&self, me: UserId, query: String, id: Option<ConversationId>) -> Result<Vec<SearchHit>, ApiError> {
        Ok(self.messages.search(me, &query, id).await?)
    }
}
