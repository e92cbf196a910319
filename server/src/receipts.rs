//! Delivery and read receipts as per-member watermarks: `delivered_seq` and `read_seq` only
//! ever move forward, and reading implies delivery. Cost grows with members, not messages.

use crate::conversations::{
    member::{Column as MemberCol, Entity as Members},
    member_ids, membership,
};
use crate::deps::Deps;
use crate::error::{Error, Result};
use crate::privacy::DirectReceiptFacts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::frames::ServerFrame;
use shared::{ConversationId, Receipt, Seq, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Delivered,
    Read,
}

#[derive(Clone)]
pub struct Receipts {
    deps: Deps,
}

impl Receipts {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Moves the caller's watermark up to `seq` (clamped to the conversation's last seq) and
    /// tells every member when it moved. Returns the caller's receipt.
    pub async fn mark(&self, me: UserId, conversation: ConversationId, seq: Seq, mark: Mark) -> Result<Receipt> {
        let db = &self.deps.db;
        let conv = crate::conversations::entity::Entity::find_by_id(conversation.0).one(db).await?;
        let Some(conv) = conv else { return Err(Error::not_found()) };
        // In a one-to-one chat the membership read also brings what the other person may be
        // told (see `privacy::direct_receipt_facts`): no more statements than a group's.
        let (delivered, read, direct) = if conv.kind == "direct" {
            let facts = crate::privacy::direct_receipt_facts(db, conversation, me).await?;
            (facts.delivered_seq, facts.read_seq, Some(facts))
        } else {
            let member = membership(db, conversation, me).await?;
            (member.delivered_seq, member.read_seq, None)
        };
        let seq = seq.clamp(0, conv.last_seq);
        let mut moved = false;
        let columns: &[MemberCol] = match mark {
            Mark::Delivered => &[MemberCol::DeliveredSeq],
            Mark::Read => &[MemberCol::ReadSeq, MemberCol::DeliveredSeq],
        };
        for column in columns {
            let result = Members::update_many()
                .col_expr(*column, Expr::value(seq))
                .filter(MemberCol::ConversationId.eq(conversation.0))
                .filter(MemberCol::UserId.eq(me.0))
                .filter(column.lt(seq))
                .exec(db)
                .await?;
            moved |= result.rows_affected > 0;
        }
        let receipt = Receipt {
            conversation_id: conversation,
            user_id: me,
            delivered_seq: delivered.max(seq),
            read_seq: if mark == Mark::Read { read.max(seq) } else { read },
        };
        if moved {
            match direct {
                Some(facts) => self.tell_direct(me, &facts, &receipt),
                None => {
                    let members = member_ids(db, conversation).await?;
                    self.deps.hub.send_to(&members, ServerFrame::Receipt { receipt: receipt.clone() });
                }
            }
        }
        Ok(receipt)
    }

    /// In a one-to-one chat the other person learns of a read only while both share read
    /// receipts (otherwise their copy says `read_seq: 0`), and nothing at all across a block.
    fn tell_direct(&self, me: UserId, facts: &DirectReceiptFacts, receipt: &Receipt) {
        self.deps.hub.send_to(&[me], ServerFrame::Receipt { receipt: receipt.clone() });
        let Some(other) = facts.other.filter(|_| !facts.blocked) else { return };
        let mut theirs = receipt.clone();
        if !facts.shares_reads {
            theirs.read_seq = 0;
        }
        self.deps.hub.send_to(&[other], ServerFrame::Receipt { receipt: theirs });
    }
}
