use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::testutil::{at, with_ctx, TempDir};
use crate::value::{ReqError, TreeBatch};

fn ctx<R>(f: impl FnOnce(&ReqCtx<'_>) -> R) -> R {
    with_ctx(false, f)
}

/// `root/{f, l -> sub, sub/{g, deep/h}, empty/}`
fn sample(tag: &str) -> TempDir {
    let t = TempDir::new(tag);
    std::fs::create_dir_all(t.path("sub/deep")).unwrap();
    std::fs::create_dir(t.path("empty")).unwrap();
    std::fs::write(t.path("f"), b"12345").unwrap();
    std::fs::write(t.path("sub/g"), b"").unwrap();
    std::fs::write(t.path("sub/deep/h"), b"").unwrap();
    symlink("sub", t.path("l")).unwrap();
    t
}

/// One entry as a walk reported it.
#[derive(Debug, PartialEq)]
struct Seen {
    kind: u8,
    depth: u32,
    stat: Option<crate::value::FileStat>,
}

/// Every entry of the batches: relative path → what was reported, checking that none
/// comes twice.
fn entries(batches: &[TreeBatch]) -> BTreeMap<String, Seen> {
    let mut out = BTreeMap::new();
    for b in batches {
        let mut i = 0;
        for d in &b.dirs {
            for _ in 0..d.entries {
                let name = String::from_utf8_lossy(b.entries.name(i)).into_owned();
                let dir = String::from_utf8_lossy(&d.path);
                let path = if dir.is_empty() { name } else { format!("{dir}/{name}") };
                let stat = b.stats.get(i).cloned();
                let seen = Seen { kind: b.entries.types[i], depth: d.depth, stat };
                assert!(out.insert(path.clone(), seen).is_none(), "{path} twice");
                i += 1;
            }
        }
        assert_eq!(i, b.entries.len(), "the sections cover the batch");
        assert!(b.stats.is_empty() || b.stats.len() == b.entries.len());
    }
    out
}

/// Reads `walk` to the end with `budget` per request, answering held directories with
/// `verdict`; returns the batches.
fn run_walk(walk: &Walk, budget: usize, verdict: &dyn Fn(&[u8]) -> bool) -> Result<Vec<TreeBatch>, ReqError> {
    let mut out = Vec::new();
    loop {
        out.push(step(walk, budget, verdict)?);
        if walk.pending() == 0 {
            return Ok(out);
        }
    }
}

/// One read of `walk`, then what the caller does with the batch: admits the directories
/// it held (answering `verdict` for each, if the walk asked for verdicts).
fn step(walk: &Walk, budget: usize, verdict: &dyn Fn(&[u8]) -> bool) -> Result<TreeBatch, ReqError> {
    let batch = ctx(|c| walk.read(c, budget))?;
    if batch.hold != 0 && batch.held.is_empty() {
        walk.admit(batch.hold, None);
    } else if batch.hold != 0 {
        let verdicts: Vec<bool> =
            batch.held.iter().map(|&i| verdict(batch.entries.name(i as usize))).collect();
        walk.admit(batch.hold, Some(&verdicts));
    }
    Ok(batch)
}

fn walk_all(root: &Path, opts: WalkOptions, budget: usize) -> BTreeMap<String, Seen> {
    let walk = Walk::new(at(root), opts);
    let out = entries(&run_walk(&walk, budget, &|_| true).unwrap());
    assert_eq!(walk.open_fds(), 0, "every fd closed at the end");
    out
}

/// `(relative path, type, depth)` of each entry, sorted by path.
type Listing<'a> = Vec<(&'a str, u8, u32)>;

fn kinds(m: &BTreeMap<String, Seen>) -> Listing<'_> {
    m.iter().map(|(p, s)| (p.as_str(), s.kind, s.depth)).collect()
}

const DIR: u8 = libc::DT_DIR;
const REG: u8 = libc::DT_REG;
const LNK: u8 = libc::DT_LNK;

#[test]
fn walk_reads_every_entry_once_whatever_the_budget() {
    let t = sample("all");
    let want = vec![
        ("empty", DIR, 0),
        ("f", REG, 0),
        ("l", LNK, 0),
        ("sub", DIR, 0),
        ("sub/deep", DIR, 1),
        ("sub/deep/h", REG, 2),
        ("sub/g", REG, 1),
    ];
    for budget in [1, 2, 3, usize::MAX] {
        assert_eq!(kinds(&walk_all(&t.0, WalkOptions::default(), budget)), want, "budget {budget}");
    }
}

#[test]
fn walk_options_shape_what_is_read() {
    let t = sample("options");
    let all = walk_all(&t.0, WalkOptions::default(), usize::MAX);
    let only = |keep: &dyn Fn(&str) -> bool| -> Listing<'_> {
        kinds(&all).into_iter().filter(|(p, _, _)| keep(p)).collect()
    };
    let table: Vec<(&str, WalkOptions, Listing<'_>)> = vec![
        (
            "max_depth 0: the root's entries",
            WalkOptions { max_depth: 0, ..Default::default() },
            only(&|p| !p.contains('/')),
        ),
        (
            "max_depth 1",
            WalkOptions { max_depth: 1, ..Default::default() },
            only(&|p| p.matches('/').count() <= 1),
        ),
        (
            "exclude: reported, not read",
            WalkOptions { exclude: vec![b"deep".to_vec(), b"nothing".to_vec()], ..Default::default() },
            only(&|p| !p.starts_with("sub/deep/")),
        ),
        (
            "follow: l is sub",
            WalkOptions { follow_symlinks: true, ..Default::default() },
            vec![
                ("empty", DIR, 0),
                ("f", REG, 0),
                ("l", DIR, 0),
                ("l/deep", DIR, 1),
                ("l/deep/h", REG, 2),
                ("l/g", REG, 1),
                ("sub", DIR, 0),
                ("sub/deep", DIR, 1),
                ("sub/deep/h", REG, 2),
                ("sub/g", REG, 1),
            ],
        ),
    ];
    for (what, opts, want) in table {
        for budget in [1, usize::MAX] {
            assert_eq!(kinds(&walk_all(&t.0, opts.clone(), budget)), want, "{what}, budget {budget}");
        }
    }
}

#[test]
fn walk_stats_are_lstat_or_with_follow_the_targets() {
    let t = sample("stat");
    symlink("nowhere", t.path("dangling")).unwrap();
    for follow in [false, true] {
        let got =
            walk_all(&t.0, WalkOptions { stat: true, follow_symlinks: follow, ..Default::default() }, 2);
        assert!(!got.is_empty());
        for (rel, seen) in &got {
            let p = t.0.join(rel);
            let md = if follow {
                std::fs::metadata(&p).or_else(|_| std::fs::symlink_metadata(&p))
            } else {
                std::fs::symlink_metadata(&p)
            }
            .unwrap();
            let st = seen.stat.as_ref().expect("a status for every entry");
            let fields = |s: &crate::value::FileStat| {
                (s.dev, s.ino, s.mode, s.nlink, s.uid, s.gid, s.size, s.blocks, s.mtime)
            };
            let want = (
                md.dev(),
                md.ino(),
                md.mode(),
                md.nlink(),
                md.uid(),
                md.gid(),
                md.size() as i64,
                md.blocks() as i64,
                (md.mtime(), md.mtime_nsec() as u32),
            );
            assert_eq!(fields(st), want, "{rel} (follow {follow})");
            assert_eq!(
                seen.kind,
                crate::sys::scan::dt_from_mode(st.mode),
                "{rel}: the type agrees with the status"
            );
        }
        assert_eq!(got["dangling"].kind, LNK, "a dangling link stays a link");
    }
}

#[test]
fn walk_follow_reports_loops_as_links_and_does_not_enter_them() {
    // root/{a/{f, b/{up -> ../.., self -> .}}, x -> a}
    let t = TempDir::new("loops");
    std::fs::create_dir_all(t.path("a/b")).unwrap();
    std::fs::write(t.path("a/f"), b"").unwrap();
    symlink("../..", t.path("a/b/up")).unwrap();
    symlink(".", t.path("a/b/self")).unwrap();
    symlink("a", t.path("x")).unwrap();
    symlink("loop", t.path("loop")).unwrap();
    for budget in [1, usize::MAX] {
        let got = walk_all(&t.0, WalkOptions { follow_symlinks: true, ..Default::default() }, budget);
        let want = vec![
            ("a", DIR, 0),
            ("a/b", DIR, 1),
            ("a/b/self", LNK, 2),
            ("a/b/up", LNK, 2),
            ("a/f", REG, 1),
            ("loop", LNK, 0),
            ("x", DIR, 0),
            ("x/b", DIR, 1),
            ("x/b/self", LNK, 2),
            ("x/b/up", LNK, 2),
            ("x/f", REG, 1),
        ];
        assert_eq!(kinds(&got), want, "budget {budget}");
    }
}

#[test]
fn walk_reads_found_directories_only_once_their_batch_is_admitted() {
    // Two reads in flight: the second cannot take what the first found before the caller
    // has the first's batch, which lists those directories: a directory always comes
    // before what is in it.
    let t = sample("order");
    let walk = Walk::new(at(&t.0), WalkOptions::default());
    // A budget of the root's 4 entries: the first read lists them all and goes no further.
    let first = ctx(|c| walk.read(c, 4)).unwrap();
    assert_ne!(first.hold, 0);
    let second = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert!(second.dirs.iter().all(|d| d.path.is_empty()), "only the rest of the root: {:?}", second.dirs);
    walk.admit(first.hold, None);
    let mut batches = vec![first, second];
    batches.extend(run_walk(&walk, usize::MAX, &|_| true).unwrap());
    // In delivery order, each directory's entry comes before its own entries.
    let mut seen = std::collections::HashSet::new();
    seen.insert(Vec::new());
    for b in &batches {
        let mut i = 0;
        for d in &b.dirs {
            assert!(
                seen.contains(&d.path),
                "{:?} read before it was listed",
                String::from_utf8_lossy(&d.path)
            );
            for _ in 0..d.entries {
                let mut p = d.path.clone();
                if !p.is_empty() {
                    p.push(b'/');
                }
                p.extend_from_slice(b.entries.name(i));
                seen.insert(p);
                i += 1;
            }
        }
    }
    assert_eq!(seen.len(), 8, "the root and its 7 entries");
}

#[test]
fn walk_holds_the_rest_of_a_directory_it_found_until_its_batch_is_admitted() {
    // A request that finds `big` and reads only part of it: the rest must not be read by
    // another request before the caller has the batch that lists `big` itself. (The
    // portable layer reads exactly the budget's worth; Linux one getdents call's worth.)
    let t = TempDir::new("rest");
    std::fs::create_dir(t.path("big")).unwrap();
    for i in 0..5000 {
        std::fs::write(t.path(&format!("big/f{i}")), b"").unwrap();
    }
    let walk = Walk::new(at(&t.0), WalkOptions::default());
    let first = ctx(|c| walk.read(c, 10)).unwrap();
    let paths: Vec<&[u8]> = first.dirs.iter().map(|d| d.path.as_slice()).collect();
    assert_eq!(paths, [&b""[..], b"big"]);
    assert!(first.entries.len() < 5001, "big read in part");
    assert_eq!(walk.pending(), 0, "the rest of big waits for the batch that lists big");
    let early = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert_eq!(early.entries.len(), 0);
    assert_eq!(walk.admit(first.hold, None), 1);
    // Taken from the frontier, big's entry is with the caller: the rest of a part read now
    // joins the frontier at once, for another request to go on with.
    let second = ctx(|c| walk.read(c, 10)).unwrap();
    assert_eq!(second.hold, 0);
    assert_eq!(walk.pending(), 1);
    let mut batches = vec![first, second];
    batches.extend(run_walk(&walk, usize::MAX, &|_| true).unwrap());
    assert_eq!(entries(&batches).len(), 5001);
    assert_eq!(walk.open_fds(), 0);
}

#[test]
fn walk_holds_directories_for_a_verdict() {
    let t = sample("hold");
    let walk = Walk::new(at(&t.0), WalkOptions { hold: true, ..Default::default() });
    let asked = std::cell::RefCell::new(Vec::new());
    let batches = run_walk(&walk, usize::MAX, &|name| {
        asked.borrow_mut().push(String::from_utf8_lossy(name).into_owned());
        name != b"sub"
    })
    .unwrap();
    assert_eq!(
        kinds(&entries(&batches)),
        vec![("empty", DIR, 0), ("f", REG, 0), ("l", LNK, 0), ("sub", DIR, 0)]
    );
    let mut asked = asked.into_inner();
    asked.sort();
    assert_eq!(asked, vec!["empty", "sub"], "asked for directories only");
    assert_eq!(walk.open_fds(), 0);
    // An unknown hold is ignored.
    assert_eq!(walk.admit(12345, None), 0);
}

#[test]
fn walk_reports_directories_that_vanish_and_goes_on() {
    let t = sample("vanish");
    let walk = Walk::new(at(&t.0), WalkOptions { hold: true, ..Default::default() });
    let first = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    std::fs::remove_dir_all(t.path("sub")).unwrap();
    walk.admit(first.hold, None);
    let second = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert_eq!(second.errors.len(), 1);
    let e = &second.errors[0];
    assert_eq!((e.path.as_slice(), e.errno, e.syscall), (&b"sub"[..], Errno(libc::ENOENT), "scandir"));
    assert_eq!(walk.pending(), 0);
}

#[test]
fn walk_of_a_large_directory_comes_in_parts_with_its_subdirectories_between() {
    let t = TempDir::new("parts");
    for i in 0..5000 {
        std::fs::write(t.path(&format!("f{i}")), b"").unwrap();
    }
    for i in 0..20 {
        std::fs::create_dir(t.path(&format!("d{i}"))).unwrap();
        std::fs::write(t.path(&format!("d{i}/inner")), b"").unwrap();
    }
    let walk = Walk::new(at(&t.0), WalkOptions::default());
    let batches = run_walk(&walk, 500, &|_| true).unwrap();
    let got = entries(&batches);
    assert_eq!(got.len(), 5000 + 20 + 20);
    assert!(
        batches.iter().filter(|b| b.dirs.iter().any(|d| d.path.is_empty())).count() >= 2,
        "the root in parts"
    );
    // Bounded: a batch holds its budget plus at most one getdents call's worth.
    assert!(batches.iter().all(|b| b.entries.len() < 500 + 4096));
}

#[test]
fn walk_deeper_than_the_fd_bound_reopens_directories() {
    // A comb: every level has a subdirectory `d`, a sibling directory `s` with a file, and
    // a file, so that every level waits for its sibling while the levels below are read.
    let t = TempDir::new("comb");
    let levels = 120;
    let mut dir = t.0.clone();
    for _ in 0..levels {
        std::fs::create_dir(dir.join("s")).unwrap();
        std::fs::write(dir.join("s/x"), b"").unwrap();
        std::fs::write(dir.join("f"), b"").unwrap();
        dir.push("d");
        std::fs::create_dir(&dir).unwrap();
    }
    let want = walk_all(&t.0, WalkOptions::default(), usize::MAX);
    assert_eq!(want.len(), levels * 4);
    for max_open in [1, 4] {
        for budget in [1, 7, usize::MAX] {
            let walk = Walk::new(at(&t.0), WalkOptions { max_open, ..Default::default() });
            let mut batches = Vec::new();
            loop {
                batches.push(step(&walk, budget, &|_| true).unwrap());
                assert!(walk.open_fds() <= max_open + 1, "{} fds open", walk.open_fds());
                if walk.pending() == 0 {
                    break;
                }
            }
            assert!(
                batches.iter().all(|b| b.errors.is_empty()),
                "{:?}",
                batches.iter().flat_map(|b| &b.errors).next()
            );
            let got = kinds(&entries(&batches)).len();
            assert_eq!(got, want.len(), "max_open {max_open}, budget {budget}");
            assert!(kinds(&entries(&batches)) == kinds(&want), "max_open {max_open}, budget {budget}");
            assert_eq!(walk.open_fds(), 0);
        }
    }
}

#[test]
fn walk_deeper_than_path_max() {
    // 3,000 levels of 2-byte names, made relative to fds (paths of 9 KB): every directory
    // is opened relative to its parent, with a few fds. (10,000 levels on the pool's own
    // threads, whose stacks are small, are walked by __test__/walk-deep.spec.mjs.)
    let t = TempDir::new("deep");
    let levels = 3000;
    let mut fd = crate::sys::dir::open_dir(&at(&t.0)).unwrap();
    for _ in 0..levels {
        let base = crate::sys::path::Base::Dir(Arc::new(fd));
        let next = At::from_bytes(base, b"dd".to_vec()).unwrap();
        crate::sys::name::mkdir(&next, 0o755).unwrap();
        fd = crate::sys::dir::open_dir(&next).unwrap();
    }
    drop(fd);
    let root = at(&t.0);
    let walk = Walk::new(root, WalkOptions { max_open: 8, ..Default::default() });
    let batches = run_walk(&walk, 100, &|_| true).unwrap();
    let deepest = batches.iter().flat_map(|b| &b.dirs).map(|d| (d.depth, d.path.len())).max().unwrap();
    let got = (batches.iter().map(|b| b.entries.len()).sum::<usize>(), deepest, walk.open_fds());
    assert_eq!(got, (levels, (levels as u32 - 1, 3 * (levels - 1) - 1), 0));
    // std's remove_dir_all works relative to fds too.
    std::fs::remove_dir_all(&t.0).unwrap();
}

#[test]
fn walk_reopened_directory_must_be_the_same() {
    // Closed early (max_open 0), then replaced: its other subdirectory is not read from
    // the impostor.
    let t = TempDir::new("swap");
    std::fs::create_dir_all(t.path("a/b1")).unwrap();
    std::fs::create_dir_all(t.path("a/b2")).unwrap();
    std::fs::create_dir_all(t.path("other/b1")).unwrap();
    std::fs::create_dir_all(t.path("other/b2")).unwrap();
    std::fs::write(t.path("other/b1/secret"), b"").unwrap();
    std::fs::write(t.path("other/b2/secret"), b"").unwrap();
    let walk = Walk::new(at(&t.path("a")), WalkOptions { max_open: 0, hold: true, ..Default::default() });
    let first = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert_eq!(walk.open_fds(), 0, "closed at once");
    std::fs::rename(t.path("a"), t.path("a-old")).unwrap();
    std::fs::rename(t.path("other"), t.path("a")).unwrap();
    walk.admit(first.hold, None);
    let mut errors = Vec::new();
    let mut names = Vec::new();
    while walk.pending() > 0 {
        let b = ctx(|c| walk.read(c, 1)).unwrap();
        errors.extend(b.errors);
        names.extend(b.entries.names().map(|n| n.to_vec()));
    }
    assert!(!names.contains(&b"secret".to_vec()), "nothing read from the impostor");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.errno == Errno(libc::ENOENT) && e.syscall == "scandir"));
}

#[test]
fn walk_root_errors_fail_the_read() {
    let t = sample("root");
    symlink("nope", t.path("dangling")).unwrap();
    let table = [("nope", libc::ENOENT), ("f", libc::ENOTDIR), ("dangling", libc::ENOENT)];
    for (p, errno) in table {
        let walk = Walk::new(at(&t.path(p)), WalkOptions::default());
        match ctx(|c| walk.read(c, usize::MAX)) {
            Err(ReqError::Os { errno: e, syscall: None, .. }) => assert_eq!(e.0, errno, "{p}"),
            other => panic!("{p}: {other:?}"),
        }
        assert_eq!(walk.pending(), 0, "{p}");
    }
    // A symlink as the root is followed.
    let got = walk_all(&t.path("l"), WalkOptions::default(), usize::MAX);
    assert_eq!(kinds(&got), vec![("deep", DIR, 0), ("deep/h", REG, 1), ("g", REG, 0)]);
}

#[test]
fn walk_close_drops_the_frontier_and_its_fds() {
    let t = sample("close");
    let walk = Walk::new(at(&t.0), WalkOptions::default());
    step(&walk, 1, &|_| true).unwrap();
    assert!(walk.pending() > 0 && walk.open_fds() > 0);
    walk.close();
    assert_eq!((walk.pending(), walk.open_fds()), (0, 0));
    let b = ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert!(b.entries.is_empty());
    // Held directories go too.
    let walk = Walk::new(at(&t.0), WalkOptions { hold: true, ..Default::default() });
    ctx(|c| walk.read(c, usize::MAX)).unwrap();
    assert!(walk.open_fds() > 0);
    walk.close();
    assert_eq!(walk.open_fds(), 0);
}

#[test]
fn walk_aborted_stops() {
    let t = sample("abort");
    let walk = Walk::new(at(&t.0), WalkOptions::default());
    let out = with_ctx(true, |c| walk.read(c, usize::MAX));
    assert!(matches!(out, Err(ReqError::Os { errno, .. }) if errno.0 == libc::ECANCELED));
}

fn run(op: ScanOp) -> Result<TreeBatch, ReqError> {
    match ctx(|c| op.execute(c)) {
        Ok(crate::value::Value::Tree(batch)) => Ok(*batch),
        Ok(other) => panic!("unexpected {other:?}"),
        Err(e) => Err(e),
    }
}

fn errno(out: Result<TreeBatch, ReqError>) -> (i32, Option<&'static str>) {
    match out {
        Err(ReqError::Os { errno, syscall, .. }) => (errno.raw(), syscall),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn stream_reads_batches_then_closes() {
    let t = TempDir::new("stream");
    let n = BATCH_ENTRIES * 2 + 10;
    for i in 0..n {
        std::fs::write(t.path(&format!("{i}")), format!("{i}")).unwrap();
    }
    for stat in [false, true] {
        let stream = Arc::new(DirStream::new(at(&t.0)));
        let mut total = 0;
        loop {
            let b = run(ScanOp::ReadEntries { stream: stream.clone(), stat }).unwrap();
            assert_eq!(b.dirs.len(), 1);
            assert_eq!(b.dirs[0].entries as usize, b.entries.len());
            assert!(b.entries.types.iter().all(|&t| t == REG));
            assert_eq!(b.stats.len(), if stat { b.entries.len() } else { 0 });
            for (i, st) in b.stats.iter().enumerate() {
                assert_eq!(st.size as usize, b.entries.name(i).len(), "the file's own status");
                assert_eq!(st.ino, b.entries.inos[i]);
            }
            total += b.entries.len();
            if b.end {
                break;
            }
        }
        assert_eq!(total, n);
        // Read to the end: the fd is gone, further batches fail.
        assert_eq!(errno(run(ScanOp::ReadEntries { stream, stat })), (libc::EBADF, None));
    }
}

#[test]
fn stream_batches_for_synchronous_readers_are_names_and_types() {
    let t = TempDir::new("stream-sync");
    std::fs::write(t.path("f"), b"").unwrap();
    std::fs::create_dir(t.path("d")).unwrap();
    let stream = Arc::new(DirStream::new(at(&t.0)));
    let got = ctx(|c| ScanOp::ReadBatch { stream: stream.clone() }.execute(c));
    let Ok(crate::value::Value::DirBatch { list, end: true }) = got else { panic!("{got:?}") };
    let mut names: Vec<(Vec<u8>, u8)> =
        list.names().map(|n| n.to_vec()).zip(list.types.iter().copied()).collect();
    names.sort();
    assert_eq!(names, vec![(b"d".to_vec(), DIR), (b"f".to_vec(), REG)]);
    assert!(matches!(read_batch(&stream), Err(ReqError::Os { errno, .. }) if errno.0 == libc::EBADF));
}

#[test]
fn stream_errors() {
    let t = TempDir::new("stream-err");
    std::fs::write(t.path("file"), b"").unwrap();
    let table = [(t.path("nope"), libc::ENOENT), (t.path("file"), libc::ENOTDIR)];
    for (path, expected) in table {
        let stream = Arc::new(DirStream::new(at(&path)));
        assert_eq!(
            errno(run(ScanOp::ReadEntries { stream, stat: false })),
            (expected, Some("opendir")),
            "{path:?}"
        );
    }
    // Closed before the first batch: nothing is opened.
    let stream = Arc::new(DirStream::new(at(&t.0)));
    stream.close();
    assert_eq!(errno(run(ScanOp::ReadEntries { stream, stat: false })), (libc::EBADF, None));
}
