use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "direct" or "group".
    pub kind: String,
    pub title: Option<String>,
    pub direct_key: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub last_seq: i64,
    pub rev: i64,
    pub last_activity_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
