//! How many connections this process may hold at once: the open-file limit, raised to what the
//! system allows, less what the process needs besides (its log, keyring session, listening
//! sandbox), so that checks wait their turn instead of failing with "too many open files".

/// The open-file limit this process tries to reach: enough for any fleet.
const WANTED: u64 = 8192;
/// Descriptors kept for everything but connections.
const RESERVED: u64 = 96;
/// The fewest and the most connections held at once.
const FLOOR: usize = 8;
const CEILING: usize = 2048;

/// Raises the soft open-file limit towards the hard one and returns the connection budget.
pub fn connection_budget() -> usize {
    budget_for(raise_limit())
}

/// The budget under a limit of `limit` descriptors: half of what is left after the reserve,
/// since a connection may briefly hold a second descriptor (name lookup, TLS).
pub fn budget_for(limit: u64) -> usize {
    let spare = limit.saturating_sub(RESERVED) / 2;
    (spare as usize).clamp(FLOOR, CEILING)
}

#[cfg(unix)]
// `rlim_t` is u64 here but not on every Unix.
#[allow(clippy::unnecessary_cast)]
fn raise_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read or write only the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        let wanted = (WANTED as libc::rlim_t).min(lim.rlim_max);
        if lim.rlim_cur < wanted {
            let raised = libc::rlimit {
                rlim_cur: wanted,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = wanted;
            }
        }
    }
    lim.rlim_cur as u64
}

#[cfg(not(unix))]
fn raise_limit() -> u64 {
    WANTED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_leaves_room_for_the_rest_of_the_process() {
        assert_eq!(budget_for(256), 80);
        assert_eq!(budget_for(1024), 464);
        assert_eq!(budget_for(16), FLOOR);
        assert_eq!(budget_for(1 << 40), CEILING);
    }
}
