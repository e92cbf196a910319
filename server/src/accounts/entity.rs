use sea_orm::entity::prelude::*;
use shared::{Audience, GroupAdds, Me, MediaId, Privacy, UserId, UserView};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-cased; unique.
    pub username: String,
    pub display_name: String,
    pub about: String,
    pub password_hash: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub avatar_id: Option<String>,
    /// "contacts" or "everyone" (`shared::GroupAdds`).
    pub group_adds: String,
    /// Who sees what (`shared::Audience` as stored: "everyone", "contacts", "nobody").
    pub last_seen_audience: String,
    pub photo_audience: String,
    pub about_audience: String,
    pub read_receipts: bool,
    /// Set when the account was deleted (Unix milliseconds); see `accounts::deletion`.
    pub deleted_at: Option<i64>,
}

impl Model {
    pub fn privacy(&self) -> Privacy {
        Privacy {
            last_seen: Audience::parse(&self.last_seen_audience),
            photo: Audience::parse(&self.photo_audience),
            about: Audience::parse(&self.about_audience),
            read_receipts: self.read_receipts,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for Me {
    fn from(user: Model) -> Self {
        Self {
            privacy: user.privacy(),
            id: UserId(user.id),
            username: user.username,
            display_name: user.display_name,
            about: user.about,
            avatar: user.avatar_id.map(MediaId),
            created_at: user.created_at,
            group_adds: GroupAdds::parse(&user.group_adds),
        }
    }
}

impl From<Model> for UserView {
    fn from(user: Model) -> Self {
        Self {
            id: UserId(user.id),
            username: user.username,
            display_name: user.display_name,
            about: user.about,
            avatar: user.avatar_id.map(MediaId),
            deleted: user.deleted_at.is_some(),
        }
    }
}
