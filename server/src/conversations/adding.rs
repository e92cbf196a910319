//! Putting people into groups: who lets whom add them, and how fast one account may create
//! groups and add people (audit finding 4: one account put a person into 10,000 groups in
//! 25 s).

use crate::accounts::Budget;
use crate::accounts::entity::{Column as UserCol, Entity as Users, Model as User};
use crate::conversations::entity::{Column as ConvCol, Entity as Conversations};
use crate::error::{Error, Result};
use governor::{DefaultKeyedRateLimiter, RateLimiter};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use shared::{ApiError, ErrorCode, GroupAdds, UserId};
use std::collections::{BTreeSet, HashSet};
use std::num::NonZeroU32;
use std::time::Duration;

/// Per account: groups created, and people added to groups (at creation or later).
pub struct AddLimits {
    groups: DefaultKeyedRateLimiter<i64>,
    people: DefaultKeyedRateLimiter<i64>,
}

impl AddLimits {
    /// 20 groups at once, then one every 30 s.
    const GROUPS: Budget = Budget { burst: 20, refill_every: Duration::from_secs(30) };
    /// Two full groups' worth (512) at once, then one person a second.
    const PEOPLE: Budget = Budget { burst: 512, refill_every: Duration::from_secs(1) };

    pub fn new() -> Self {
        Self { groups: RateLimiter::keyed(Self::GROUPS.quota()), people: RateLimiter::keyed(Self::PEOPLE.quota()) }
    }

    /// Spends one group creation of `me`'s budget.
    pub fn create_group(&self, me: UserId) -> Result<()> {
        self.groups
            .check_key(&me.0)
            .map_err(|_| Error::rate_limited_because("You have created many groups in a short time. Try again later."))
    }

    /// Spends `count` additions of `me`'s budget, all or nothing.
    pub fn add_people(&self, me: UserId, count: usize) -> Result<()> {
        let Some(count) = NonZeroU32::new(u32::try_from(count).unwrap_or(u32::MAX)) else { return Ok(()) };
        match self.people.check_key_n(&me.0, count) {
            Ok(Ok(())) => Ok(()),
            _ => Err(Error::rate_limited_because(
                "You have added many people to groups in a short time. Try again later.",
            )),
        }
    }

    pub fn forget_idle(&self) {
        self.groups.retain_recent();
        self.people.retain_recent();
    }
}

impl Default for AddLimits {
    fn default() -> Self {
        Self::new()
    }
}

/// The accounts of `users`, in one query; `invalid_input` if any of them does not exist.
pub async fn people(db: &impl ConnectionTrait, users: &BTreeSet<UserId>) -> Result<Vec<User>> {
    let people = Users::find()
        .filter(UserCol::Id.is_in(users.iter().map(|u| u.0)))
        .filter(UserCol::DeletedAt.is_null())
        .all(db)
        .await?;
    if people.len() != users.len() {
        return Err(Error::invalid("members", "Some of those people do not exist."));
    }
    Ok(people)
}

/// Refuses the whole change if anyone in `people` does not let `me` add them: their setting is
/// "contacts" and they have no one-to-one chat with `me`. One query, whatever the number.
/// A block either way refuses too, with the same words (the blocked learn nothing more).
pub async fn check_allowed(db: &impl ConnectionTrait, me: UserId, people: &[User]) -> Result<()> {
    let ids: Vec<UserId> = people.iter().map(|u| UserId(u.id)).collect();
    let pairs = crate::privacy::Pairs::load(db, &[me], &ids).await?;
    let blocked: Vec<&str> =
        people.iter().filter(|u| pairs.blocked_either(me, UserId(u.id))).map(|u| u.display_name.as_str()).collect();
    if !blocked.is_empty() {
        return Err(refused(&blocked));
    }
    let guarded: Vec<&User> =
        people.iter().filter(|u| GroupAdds::parse(&u.group_adds) == GroupAdds::Contacts).collect();
    if guarded.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = guarded.iter().map(|u| direct_key(me, UserId(u.id))).collect();
    let contacts: HashSet<String> = Conversations::find()
        .select_only()
        .column(ConvCol::DirectKey)
        .filter(ConvCol::DirectKey.is_in(keys))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let refusing: Vec<&str> = guarded
        .iter()
        .filter(|u| !contacts.contains(&direct_key(me, UserId(u.id))))
        .map(|u| u.display_name.as_str())
        .collect();
    if refusing.is_empty() {
        return Ok(());
    }
    Err(refused(&refusing))
}

fn refused(refusing: &[&str]) -> Error {
    let who = refusing.join(", ");
    let verb = if refusing.len() == 1 { "lets only their contacts" } else { "let only their contacts" };
    Error::Api(ApiError {
        code: ErrorCode::Forbidden,
        message: format!("{who} {verb} add them to groups. Send them a message first."),
        field: Some("members".into()),
    })
}

/// The key of the one-to-one chat between two people.
pub fn direct_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", a.0.min(b.0), a.0.max(b.0))
}
