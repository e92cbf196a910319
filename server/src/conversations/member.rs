use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// "owner", "admin" or "member".
    pub role: String,
    pub joined_at: i64,
    /// The conversation's last seq when this member joined: they see only later messages.
    pub joined_seq: i64,
    pub delivered_seq: i64,
    pub read_seq: i64,
    pub pinned: bool,
    pub archived: bool,
    pub muted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
