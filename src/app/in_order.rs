//! Work on many items, a bounded number at a time, whose results come back in the items' order.

use std::future::Future;

use futures_util::StreamExt;

/// How many items are worked on at once, and how many of the next ones are prepared meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub at_once: usize,
    pub ahead: usize,
}

/// What is done to each item, in three steps: `prepare` (at most `limits.ahead` at once and
/// `limits.ahead` ready and waiting, outside the limit, so that the next items are ready when a
/// place frees), `work` (at most
/// `limits.at_once` at once: the next item starts as soon as any one is done, so that a slow
/// item never holds back the ones after it) and `then` (on each outcome as it comes, outside
/// the limit too, at most `limits.at_once` at once).
pub struct Steps<P, W, N> {
    pub prepare: P,
    pub work: W,
    pub then: N,
}

/// Runs the steps on every item; `done` is told how many items are finished each time one
/// finishes. The results come back in the items' order.
pub async fn in_order<T, R, A, B, P, PF, W, WF, N, NF>(
    items: Vec<T>,
    limits: Limits,
    steps: Steps<P, W, N>,
    mut done: impl FnMut(usize),
) -> Vec<B>
where
    P: Fn(T) -> PF,
    PF: Future<Output = R>,
    W: Fn(R) -> WF,
    WF: Future<Output = A>,
    N: Fn(A) -> NF,
    NF: Future<Output = B>,
{
    let Steps {
        prepare,
        work,
        then,
    } = &steps;
    let (ahead, at_once) = (limits.ahead.max(1), limits.at_once.max(1));
    let mut results: Vec<Option<B>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    // Preparing goes on while every place is taken, up to `ahead` items ready and waiting.
    let (ready, waiting) = tokio::sync::mpsc::channel(ahead);
    let preparing = async move {
        let mut prepared = futures_util::stream::iter(items.into_iter().enumerate())
            .map(|(i, item)| async move { (i, prepare(item).await) })
            .buffer_unordered(ahead);
        while let Some(item) = prepared.next().await {
            if ready.send(item).await.is_err() {
                break;
            }
        }
    };
    let working = async {
        let finished = futures_util::stream::unfold(waiting, |mut waiting| async move {
            let next = waiting.recv().await?;
            Some((next, waiting))
        })
        .map(|(i, item)| async move { (i, work(item).await) })
        .buffer_unordered(at_once)
        .map(|(i, outcome)| async move { (i, then(outcome).await) })
        .buffer_unordered(at_once);
        let mut finished = std::pin::pin!(finished);
        let mut count = 0;
        while let Some((i, result)) = finished.next().await {
            count += 1;
            done(count);
            results[i] = Some(result);
        }
    };
    tokio::join!(preparing, working);
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use tokio::sync::Notify;

    use super::{Limits, Steps, in_order};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    async fn ready<T>(t: T) -> T {
        t
    }

    #[test]
    fn no_more_than_the_limits_run_at_once_and_the_next_are_prepared_meanwhile() {
        let (running, most) = (Cell::new(0usize), Cell::new(0usize));
        let (preparing, most_preparing) = (Cell::new(0usize), Cell::new(0usize));
        // Items prepared before a place was free for them, seen while every place was taken.
        let (prepared, started, most_waiting) =
            (Cell::new(0usize), Cell::new(0usize), Cell::new(0));
        let prepare = |i: usize| {
            let (preparing, most_preparing, prepared) = (&preparing, &most_preparing, &prepared);
            async move {
                preparing.set(preparing.get() + 1);
                most_preparing.set(most_preparing.get().max(preparing.get()));
                tokio::task::yield_now().await;
                preparing.set(preparing.get() - 1);
                prepared.set(prepared.get() + 1);
                i
            }
        };
        let work = |i: usize| {
            let (running, most, prepared, started, most_waiting) =
                (&running, &most, &prepared, &started, &most_waiting);
            async move {
                running.set(running.get() + 1);
                started.set(started.get() + 1);
                most.set(most.get().max(running.get()));
                for _ in 0..(i % 4) + 3 {
                    tokio::task::yield_now().await;
                    if running.get() == 6 {
                        most_waiting.set(most_waiting.get().max(prepared.get() - started.get()));
                    }
                }
                running.set(running.get() - 1);
                i
            }
        };
        let steps = Steps {
            prepare,
            work,
            then: |i| async move { i * 10 },
        };
        let limits = Limits {
            at_once: 6,
            ahead: 3,
        };
        let out = runtime().block_on(in_order((0..40).collect(), limits, steps, |_| {}));
        assert_eq!(most.get(), 6);
        assert_eq!(most_preparing.get(), 3);
        assert!(most_waiting.get() >= 1, "nothing was prepared ahead");
        assert_eq!(out, (0..40).map(|i| i * 10).collect::<Vec<_>>());
    }

    /// The first item finishes only once every other one has: with places freed only in the
    /// items' order, the third item would never start and this would never end.
    #[test]
    fn a_slow_first_item_holds_back_none_after_it_and_still_comes_back_first() {
        const ITEMS: usize = 8;
        let finished_others = Cell::new(0usize);
        let news = Notify::new();
        let order = RefCell::new(Vec::new());
        let counts = RefCell::new(Vec::new());
        let work = |i: usize| {
            let (finished_others, news, order) = (&finished_others, &news, &order);
            async move {
                if i == 0 {
                    while finished_others.get() < ITEMS - 1 {
                        news.notified().await;
                    }
                } else {
                    tokio::task::yield_now().await;
                    finished_others.set(finished_others.get() + 1);
                    news.notify_waiters();
                }
                order.borrow_mut().push(i);
                format!("item {i}")
            }
        };
        let steps = Steps {
            prepare: ready,
            work,
            then: ready,
        };
        let limits = Limits {
            at_once: 2,
            ahead: 2,
        };
        let run = in_order((0..ITEMS).collect(), limits, steps, |n| {
            counts.borrow_mut().push(n)
        });
        let out = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), run).await })
            .expect("a slow item held back the ones after it");
        assert_eq!(order.borrow().last(), Some(&0), "{:?}", order.borrow());
        assert_eq!(
            out,
            (0..ITEMS).map(|i| format!("item {i}")).collect::<Vec<_>>()
        );
        assert_eq!(*counts.borrow(), (1..=ITEMS).collect::<Vec<_>>());
    }
}
