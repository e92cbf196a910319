//! How many uploads may be in flight at once, per user and on this node. Each one holds a
//! connection, a temporary file (a descriptor and up to 4 MiB on disk) and, while it is
//! checked, up to 4 MiB of memory; the two limits bound all of them. Beyond either, an upload
//! is refused at once with `rate_limited`, before a byte of its body is read: a client should
//! wait for one of its uploads to finish, not queue more behind it.

use crate::error::{Error, Result};
use shared::UserId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Clone)]
pub struct UploadSlots {
    overall: Arc<Semaphore>,
    per_user: Arc<Mutex<HashMap<i64, usize>>>,
    per_user_max: usize,
}

/// One upload's place; freed when dropped.
pub struct UploadSlot {
    _overall: OwnedSemaphorePermit,
    per_user: Arc<Mutex<HashMap<i64, usize>>>,
    user: i64,
}

impl UploadSlots {
    pub fn new(per_user_max: usize, overall: usize) -> Self {
        Self { overall: Arc::new(Semaphore::new(overall)), per_user: Arc::default(), per_user_max }
    }

    pub fn take(&self, me: UserId) -> Result<UploadSlot> {
        let Ok(overall) = self.overall.clone().try_acquire_owned() else {
            return Err(Error::rate_limited_because(
                "The server is receiving too many files right now. Try again in a moment.",
            ));
        };
        let mut counts = self.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = counts.entry(me.0).or_default();
        if *mine >= self.per_user_max {
            return Err(Error::rate_limited_because("You are sending too many files at once. Wait for one to finish."));
        }
        *mine += 1;
        Ok(UploadSlot { _overall: overall, per_user: self.per_user.clone(), user: me.0 })
    }
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut counts = self.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(mine) = counts.get_mut(&self.user) {
            *mine -= 1;
            if *mine == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_user_and_overall_and_freed_on_drop() {
        let slots = UploadSlots::new(2, 3);
        let (alice, bob, carol) = (UserId(1), UserId(2), UserId(3));
        let a1 = slots.take(alice).expect("first");
        let _a2 = slots.take(alice).expect("second");
        assert!(slots.take(alice).is_err(), "a third of alice's at once");
        let _b1 = slots.take(bob).expect("bob has his own share");
        assert!(slots.take(carol).is_err(), "three in flight on the node");
        drop(a1);
        let _c1 = slots.take(carol).expect("a slot freed up");
        assert!(slots.take(alice).is_err(), "the node is full again");
        assert_eq!(slots.per_user.lock().expect("lock").get(&alice.0), Some(&1));
    }
}
