//! Work on many items, a bounded number at a time, whose results come back in the items' order.

use std::future::Future;

use futures_util::StreamExt;

/// Runs `work` on each item, at most `limit` at once: the next item starts as soon as any one
/// is done, so that a slow item never holds back the ones after it. `then` runs on each
/// outcome as it comes, outside `work`'s limit (at most `limit` of those at once too), so that
/// it keeps no place the next item could use. `done` is told how many items are finished each
/// time one finishes. The results come back in the items' order.
pub async fn in_order<T, A, B, W, WF, N, NF>(
    items: Vec<T>,
    limit: usize,
    work: W,
    then: N,
    mut done: impl FnMut(usize),
) -> Vec<B>
where
    W: Fn(T) -> WF,
    WF: Future<Output = A>,
    N: Fn(A) -> NF,
    NF: Future<Output = B>,
{
    let (work, then) = (&work, &then);
    let mut results: Vec<Option<B>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let mut finished = futures_util::stream::iter(items.into_iter().enumerate())
        .map(|(i, item)| async move { (i, work(item).await) })
        .buffer_unordered(limit.max(1))
        .map(|(i, outcome)| async move { (i, then(outcome).await) })
        .buffer_unordered(limit.max(1));
    let mut count = 0;
    while let Some((i, result)) = finished.next().await {
        count += 1;
        done(count);
        results[i] = Some(result);
    }
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use tokio::sync::Notify;

    use super::in_order;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn no_more_than_the_limit_run_at_once_and_the_limit_is_used() {
        let running = Cell::new(0usize);
        let most = Cell::new(0usize);
        let work = |i: usize| {
            let (running, most) = (&running, &most);
            async move {
                running.set(running.get() + 1);
                most.set(most.get().max(running.get()));
                for _ in 0..(i % 4) + 1 {
                    tokio::task::yield_now().await;
                }
                running.set(running.get() - 1);
                i
            }
        };
        let out = runtime().block_on(in_order(
            (0..40).collect(),
            6,
            work,
            |i| async move { i * 10 },
            |_| {},
        ));
        assert_eq!(most.get(), 6);
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
        let run = in_order(
            (0..ITEMS).collect(),
            2,
            work,
            |s| async move { s },
            |n| counts.borrow_mut().push(n),
        );
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
