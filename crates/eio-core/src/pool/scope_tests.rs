//! Sub-work (`scope.rs`): no deadlock however few threads, priorities kept, aborts and
//! panics end the scope once, never more threads than `max_parallel`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::tests::{client, pool, recv};
use super::*;
use crate::{Errno, Value};

/// A request whose first step spawns a binary tree of tasks `depth` levels deep, each
/// running `work`; the outcome is the number of tasks that ran.
fn tree_request(depth: u32, work: impl Fn() + Send + Sync + 'static) -> Op {
    fn node(scope: &Scope, depth: u32, ran: Arc<AtomicUsize>, work: Arc<dyn Fn() + Send + Sync>) {
        for _ in 0..2 {
            let (ran, work) = (ran.clone(), work.clone());
            scope.spawn(move |s| {
                work();
                ran.fetch_add(1, Ordering::SeqCst);
                if depth > 1 {
                    node(s, depth - 1, ran, work);
                }
                Ok(())
            });
        }
    }
    let work: Arc<dyn Fn() + Send + Sync> = Arc::new(work);
    Op::Custom(Box::new(move |ctx| {
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = ran.clone();
        ctx.fan_out(
            |scope| {
                node(scope, depth, ran, work);
                Ok(())
            },
            move |result| result.map(|()| Value::Int(counted.load(Ordering::SeqCst) as i64)),
        )
    }))
}

fn count(outcome: Outcome) -> i64 {
    match outcome {
        Ok(Value::Int(n)) => n,
        other => panic!("expected a count, got {other:?}"),
    }
}

#[test]
fn composites_finish_with_one_or_two_threads_even_when_every_thread_runs_one() {
    for wanted in [1, 2] {
        let pool = pool(wanted);
        let (c, rx) = client();
        // More composites than threads, each with 126 tasks that take a little time.
        for i in 0..4 {
            pool.submit(&c, 0, i, tree_request(6, || std::thread::sleep(Duration::from_micros(50))));
        }
        for _ in 0..4 {
            assert_eq!(count(recv(&rx).1), 126, "max_parallel {wanted}");
        }
        assert!(pool.nthreads() <= wanted);
    }
}

#[test]
fn tasks_wait_at_their_requests_priority() {
    // One thread. A composite at -4 queues ten tasks while a request at 0 and one at -4
    // arrive: the one at 0 overtakes the tasks, the one at -4 waits behind them (FIFO).
    let pool = pool(1);
    let (c, rx) = client();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (go_tx, go_rx) = channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let logged = |log: &Arc<Mutex<Vec<String>>>, what: String| log.lock().unwrap().push(what);
    let l = log.clone();
    pool.submit(
        &c,
        -4,
        0,
        Op::Custom(Box::new(move |ctx| {
            ctx.fan_out(
                |scope| {
                    for i in 0..10 {
                        let l = l.clone();
                        scope.spawn(move |_| {
                            logged(&l, format!("task{i}"));
                            Ok(())
                        });
                    }
                    // The other requests are queued while this step still runs.
                    go_rx.lock().unwrap().recv().unwrap();
                    Ok(())
                },
                |result| result.map(|()| Value::Unit),
            )
        })),
    );
    let wait_for_queue = |n| super::tests::wait_until("queued", || pool.nready() == n);
    wait_for_queue(10);
    for (token, priority) in [(1, 0), (2, -4)] {
        let l = log.clone();
        pool.submit(
            &c,
            priority,
            token,
            Op::Custom(Box::new(move |_| {
                logged(&l, format!("req{token}"));
                Ok(Value::Unit)
            })),
        );
    }
    wait_for_queue(12);
    go_tx.send(()).unwrap();
    let mut tokens: Vec<u64> = (0..3).map(|_| recv(&rx).0).collect();
    tokens.sort();
    assert_eq!(tokens, [0, 1, 2]);
    let log = log.lock().unwrap().clone();
    let mut want = vec!["req1".to_owned()];
    want.extend((0..10).rev().map(|i| format!("task{i}"))); // newest task first
    want.push("req2".to_owned());
    assert_eq!(log, want);
}

#[test]
fn an_abort_drops_the_waiting_tasks_and_completes_once() {
    let pool = pool(1);
    let (c, rx) = client();
    let (ran, lasts) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (started_tx, started_rx) = channel::<()>();
    let (go_tx, go_rx) = channel::<()>();
    let (go_rx, started_tx) = (Mutex::new(go_rx), Mutex::new(started_tx));
    let (r, l) = (ran.clone(), lasts.clone());
    let cell = pool.submit(
        &c,
        0,
        7,
        Op::Custom(Box::new(move |ctx| {
            ctx.fan_out(
                |scope| {
                    for _ in 0..100 {
                        let r = r.clone();
                        scope.spawn(move |_| {
                            r.fetch_add(1, Ordering::SeqCst);
                            Ok(())
                        });
                    }
                    started_tx.lock().unwrap().send(()).unwrap();
                    go_rx.lock().unwrap().recv().unwrap();
                    Ok(())
                },
                move |result| {
                    l.fetch_add(1, Ordering::SeqCst);
                    result.map(|()| Value::Unit)
                },
            )
        })),
    );
    started_rx.recv().unwrap();
    assert_eq!(pool.cancel(&c, &cell), CancelOutcome::Flagged, "running: only flagged");
    go_tx.send(()).unwrap();
    let (token, outcome) = recv(&rx);
    assert_eq!(token, 7);
    assert_eq!(outcome.err().and_then(|e| e.errno()), Some(Errno(libc::ECANCELED)));
    assert_eq!(ran.load(Ordering::SeqCst), 0, "no task ran after the abort");
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err(), "one completion");
    assert_eq!(lasts.load(Ordering::SeqCst), 1);
    assert_eq!(cell.state(), ReqState::Done);
}

#[test]
fn a_panicking_task_fails_the_request_and_the_pool_carries_on() {
    for wanted in [1, 3] {
        let pool = pool(wanted);
        let (c, rx) = client();
        let after = Arc::new(AtomicUsize::new(0));
        let a = after.clone();
        let panicked = Arc::new(AtomicBool::new(false));
        let p = panicked.clone();
        pool.submit(
            &c,
            0,
            1,
            tree_request(5, move || {
                if !p.swap(true, Ordering::SeqCst) {
                    panic!("injected");
                }
                a.fetch_add(1, Ordering::SeqCst);
            }),
        );
        match recv(&rx).1 {
            Err(ReqError::Panic(msg)) => assert_eq!(msg, "injected"),
            other => panic!("expected the task's panic, got {other:?}"),
        }
        assert!(after.load(Ordering::SeqCst) < 61, "the scope went on after the panic");
        pool.submit(&c, 0, 2, Op::Nop);
        assert_eq!(recv(&rx).0, 2);
    }
}

#[test]
fn a_panic_in_the_first_or_the_last_step_fails_the_request() {
    let pool = pool(2);
    let (c, rx) = client();
    let first = Op::Custom(Box::new(|ctx| ctx.fan_out(|_| panic!("first"), |r| r.map(|()| Value::Unit))));
    let last = Op::Custom(Box::new(|ctx| ctx.fan_out(|_| Ok(()), |_| panic!("last"))));
    pool.submit(&c, 0, 1, first);
    pool.submit(&c, 0, 2, last);
    let mut got: Vec<(u64, String)> = (0..2)
        .map(|_| match recv(&rx) {
            (t, Err(ReqError::Panic(msg))) => (t, msg),
            (t, other) => panic!("{t}: {other:?}"),
        })
        .collect();
    got.sort();
    assert_eq!(got, [(1, "first".to_owned()), (2, "last".to_owned())]);
}

#[test]
fn never_more_threads_than_max_parallel_while_fanning_out() {
    let pool = pool(2);
    let (c, rx) = client();
    let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (r, p) = (running.clone(), peak.clone());
    pool.submit(
        &c,
        0,
        1,
        tree_request(6, move || {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2)); // waits, as the kernel would
            r.fetch_sub(1, Ordering::SeqCst);
        }),
    );
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (pool, done) = (pool.clone(), done.clone());
        std::thread::spawn(move || {
            let mut most = 0;
            while !done.load(Ordering::SeqCst) {
                most = most.max(pool.nthreads());
                std::thread::sleep(Duration::from_micros(200));
            }
            most
        })
    };
    assert_eq!(count(recv(&rx).1), 126);
    done.store(true, Ordering::SeqCst);
    assert!(sampler.join().unwrap() <= 2, "more threads than max_parallel");
    assert_eq!(peak.load(Ordering::SeqCst), 2, "the tasks used both threads");
}

#[test]
fn a_hold_keeps_the_scope_open_until_work_from_elsewhere_is_spawned() {
    let pool = pool(1);
    let (c, rx) = client();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    pool.submit(
        &c,
        0,
        1,
        Op::Custom(Box::new(move |ctx| {
            let r2 = r.clone();
            ctx.fan_out(
                move |scope| {
                    let hold = scope.hold();
                    // Another thread (the client, answering later) continues the work.
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_millis(20));
                        hold.scope().spawn(move |_| {
                            r2.fetch_add(1, Ordering::SeqCst);
                            Ok(())
                        });
                        drop(hold);
                    });
                    Ok(())
                },
                move |result| result.map(|()| Value::Int(r.load(Ordering::SeqCst) as i64)),
            )
        })),
    );
    assert_eq!(count(recv(&rx).1), 1, "the task spawned under the hold ran before the end");
    // A hold that fails fails the request.
    pool.submit(
        &c,
        0,
        2,
        Op::Custom(Box::new(|ctx| {
            ctx.fan_out(
                |scope| {
                    let hold = scope.hold();
                    std::thread::spawn(move || hold.fail(ReqError::os(Errno(libc::EIO))));
                    Ok(())
                },
                |result| result.map(|()| Value::Unit),
            )
        })),
    );
    assert_eq!(recv(&rx).1.err().and_then(|e| e.errno()), Some(Errno(libc::EIO)));
}

#[test]
fn outside_the_pool_the_tasks_run_on_the_calling_thread() {
    let cell = ReqCell::new_staged();
    let ctx = ReqCtx { cell: &cell };
    let caller = std::thread::current().id();
    let elsewhere = Arc::new(AtomicBool::new(false));
    let e = elsewhere.clone();
    let op = tree_request(4, move || {
        if std::thread::current().id() != caller {
            e.store(true, Ordering::SeqCst);
        }
    });
    assert_eq!(count(op.execute(&ctx)), 30);
    assert!(!elsewhere.load(Ordering::SeqCst));
    // An aborted request runs no task.
    let cell = ReqCell::new_staged();
    cell.cancel();
    let got = tree_request(3, || panic!("ran")).execute(&ReqCtx { cell: &cell });
    assert_eq!(got.err().and_then(|e| e.errno()), Some(Errno(libc::ECANCELED)));
}
