//! The open-file budget. Every connection is a file descriptor, and so is everything else the
//! process opens: the database pool (SQLite opens the database, its WAL and its shared memory
//! per connection), media files being served, uploads being received, NATS, the runtime's own
//! (epoll, eventfd) and the log. A connection cap above the descriptor limit never applies:
//! `accept` fails with `EMFILE` first, and so does every file the server opens. So the default
//! cap is the soft `RLIMIT_NOFILE` less a reserve for the rest, and the soft limit is raised
//! to the hard limit at start where the system allows it.

/// The smallest number of descriptors kept for things other than client sockets.
pub const MIN_RESERVE: u64 = 256;
/// Limits above this (or `RLIM_INFINITY`) are counted as this: no kernel hands out more
/// descriptors to one process by default (Linux `fs.nr_open` is 1,048,576).
const CEILING: u64 = 1 << 24;
/// The cap where the platform has no descriptor limit to read.
pub const FALLBACK_CAP: usize = 10_000;

/// The connection cap for a soft descriptor limit of `soft`: the limit less a reserve of an
/// eighth of it (at least [`MIN_RESERVE`]): the eighth covers connections that each hold a
/// second descriptor while they download a file or upload one. On a tiny limit, where the
/// reserve would eat it all, half of it.
pub fn connection_cap(soft: u64) -> usize {
    let soft = soft.min(CEILING);
    let reserve = (soft / 8).max(MIN_RESERVE);
    let cap = soft.saturating_sub(reserve).max(soft / 2).max(1);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// The soft limit on open files now, if the platform has one.
pub fn soft_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _hard)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Raises the soft limit on open files to the hard limit (on macOS, to what the kernel
/// allows a process), logging the change; a failure is logged and otherwise ignored.
pub fn raise_to_hard_limit() {
    let before = soft_limit();
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(after) if Some(after) != before => {
            tracing::info!(before = ?before, after, "raised the open-file limit");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, limit = ?before, "could not raise the open-file limit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_a_reserve_below_the_descriptor_limit() {
        // The usual shell default: 256 kept back.
        assert_eq!(connection_cap(1024), 768);
        // A systemd service's default hard limit, raised to: an eighth kept back.
        assert_eq!(connection_cap(524_288), 458_752);
        assert_eq!(connection_cap(1_048_576), 917_504);
        assert_eq!(connection_cap(20_000), 17_500);
        for soft in [64, 1024, 65_536, 1_048_576] {
            let cap = connection_cap(soft) as u64;
            assert!(cap < soft && soft - cap >= MIN_RESERVE.min(soft / 2), "{soft}: {cap}");
        }
    }

    #[test]
    fn tiny_and_unlimited_limits_still_give_a_usable_cap() {
        assert_eq!(connection_cap(300), 150, "half of a limit the reserve would swallow");
        assert_eq!(connection_cap(1), 1);
        assert_eq!(connection_cap(0), 1);
        assert_eq!(connection_cap(u64::MAX), connection_cap(CEILING));
        assert!(connection_cap(u64::MAX) > 1_000_000);
    }
}
