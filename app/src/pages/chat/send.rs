//! Sending a message: into the outbox first, so a reload or a lost connection loses nothing,
//! then over the socket if it is up (otherwise the socket sends it on reconnect).

use crate::realtime::Connection;
use crate::store::ChatStore;
use shared::{Attachment, ConversationId, MessageId};

pub fn send_message(
    store: ChatStore,
    connection: Connection,
    conversation: ConversationId,
    body: String,
    reply_to: Option<MessageId>,
    attachment: Option<Attachment>,
) {
    let item = store.enqueue(conversation, body, reply_to, attachment);
    crate::notify::ask_permission_once();
    connection.send(item.frame());
}
