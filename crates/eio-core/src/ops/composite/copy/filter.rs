//! Asking the client which entries a tree copy takes (`fs.cp`'s `filter`): the entries of
//! one directory go out in one query, and the copy holds no thread while the client
//! answers (a [`Hold`] keeps its scope open): the client may itself use the pool to decide.

use crate::pool::Hold;
use crate::sys::cvt::Errno;
use crate::value::ReqError;

/// What the client answers with, given a query's entries.
pub trait CopyFilter: Send + Sync {
    /// Asks which of `query`'s entries to copy. Must not block: the answer comes later,
    /// from any thread, through [`FilterQuery::answer`] (or [`FilterQuery::fail`]).
    fn ask(&self, query: FilterQuery);
}

/// The entries of one source directory, to keep or leave out.
pub struct FilterQuery {
    /// The directory's path below the copy's roots (empty for the roots themselves).
    pub dir: Vec<u8>,
    /// The names of its entries.
    pub names: Vec<Vec<u8>>,
    /// What the copy does with the answer; taken when answered.
    then: Option<(Hold, Continue)>,
}

/// The rest of the directory's copy, given which entries to keep.
pub(super) type Continue = Box<dyn FnOnce(&Hold, Vec<bool>) + Send>;

impl FilterQuery {
    pub(super) fn new(dir: Vec<u8>, names: Vec<Vec<u8>>, hold: Hold, then: Continue) -> FilterQuery {
        FilterQuery { dir, names, then: Some((hold, then)) }
    }

    /// Keeps the entries whose `keep` is true (missing answers leave an entry out), and
    /// the copy goes on.
    pub fn answer(mut self, keep: Vec<bool>) {
        if let Some((hold, then)) = self.then.take() {
            // The continuation spawns the work before the hold goes, so the copy cannot
            // end in between.
            then(&hold, keep);
        }
    }

    /// The client could not answer (its filter threw): the copy stops with `ECANCELED`
    /// and the client reports its own error.
    pub fn fail(mut self) {
        if let Some((hold, _)) = self.then.take() {
            hold.fail(ReqError::os(Errno(libc::ECANCELED)));
        }
    }
}

impl Drop for FilterQuery {
    /// Never answered (the client went away): the copy stops rather than wait forever.
    fn drop(&mut self) {
        if let Some((hold, _)) = self.then.take() {
            hold.fail(ReqError::os(Errno(libc::ECANCELED)));
        }
    }
}
