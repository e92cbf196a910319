//! Delivery and read receipts as per-member watermarks: `delivered_seq` and `read_seq` only
//! ever move forward, and reading implies delivery. Cost grows with members, not messages.

use crate::conversations::{
    member::{Column as MemberCol, Entity as Members},
    member_ids, membership,
};
use crate::deps::Deps;
use crate::error::Result;
use crate::privacy::Pairs;
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
        let member = membership(db, conversation, me).await?;
        let conv = crate::conversations::entity::Entity::find_by_id(conversation.0).one(db).await?;
        let direct = conv.as_ref().is_some_and(|c| c.kind == "direct");
        let last_seq = conv.map_or(0, |c| c.last_seq);
        let seq = seq.clamp(0, last_seq);
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
            delivered_seq: member.delivered_seq.max(seq),
            read_seq: if mark == Mark::Read { member.read_seq.max(seq) } else { member.read_seq },
        };
        if moved {
            let members = member_ids(db, conversation).await?;
            if direct {
                self.tell_direct(me, &members, &receipt).await?;
            } else {
                self.deps.hub.send_to(&members, ServerFrame::Receipt { receipt: receipt.clone() });
            }
        }
        Ok(receipt)
    }

    /// In a one-to-one chat the other person learns of a read only while both share read
    /// receipts (otherwise their copy says `read_seq: 0`), and nothing at all across a block.
    async fn tell_direct(&self, me: UserId, members: &[UserId], receipt: &Receipt) -> Result<()> {
        self.deps.hub.send_to(&[me], ServerFrame::Receipt { receipt: receipt.clone() });
        let others: Vec<UserId> = members.iter().copied().filter(|u| *u != me).collect();
        let pairs = Pairs::load(&self.deps.db, &others, &[me]).await?;
        for other in others {
            if pairs.blocked_either(me, other) {
                continue;
            }
            let mut theirs = receipt.clone();
            if !pairs.shares_reads(me, other) {
                theirs.read_seq = 0;
            }
            self.deps.hub.send_to(&[other], ServerFrame::Receipt { receipt: theirs });
        }
        Ok(())
    }
}
