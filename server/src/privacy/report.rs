//! `reports`: what someone reported to the operator, with the chat's last messages as the
//! reporter saw them (JSON of `ReportedMessage`s), listed by `server reports`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reporter_id: i64,
    pub reported_id: i64,
    pub conversation_id: Option<i64>,
    pub created_at: i64,
    pub messages: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One message of a report's copy of the chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedMessage {
    pub id: i64,
    pub sender_id: Option<i64>,
    pub created_at: i64,
    pub body: String,
    /// The attachment's type, when it had one (`image`, `voice`, `document`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
}
