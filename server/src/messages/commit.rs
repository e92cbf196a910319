//! Group commit of sends on SQLite.
//!
//! SQLite has one writer, so every send queues behind the write gate anyway; storing each in
//! a transaction of its own pays a COMMIT (WAL frames, and a fresh FTS5 segment) per message.
//! Here concurrent sends queue on a channel instead, and one writer task stores whatever has
//! gathered (up to [`BATCH_MAX`]) in a single transaction, each send under its own savepoint so
//! a refused one rolls back alone. No timer: a batch is what arrived while the previous one was
//! committing, so a lone send is stored at once. Every caller is answered only after the
//! batch's COMMIT, so an ack still means stored.
//!
//! PostgreSQL has row locks and many connections: there each send keeps its own transaction
//! and this module is not used.

use super::entity;
use super::service::{Pending, store_send};
use crate::deps::Deps;
use crate::error::{Error, Result};
use sea_orm::TransactionTrait;
use tokio::sync::{mpsc, oneshot};

/// Sends stored in one transaction at most.
const BATCH_MAX: usize = 128;
/// Sends waiting for the writer at most; past it, callers wait for room (backpressure).
const QUEUE: usize = 4096;

/// The row of a send, and whether it was stored just now (false for a retry).
pub type Stored = (entity::Model, bool);

struct Job {
    send: Pending,
    done: oneshot::Sender<Result<Stored>>,
}

/// A handle on the writer task; cheap to clone. The task ends when the last handle is dropped.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer task (call inside the tokio runtime).
    pub fn spawn(deps: Deps) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(writer(deps, jobs));
        Self { queue }
    }

    /// Stores one send with whatever others are waiting, answering after COMMIT.
    pub async fn store(&self, send: Pending) -> Result<Stored> {
        let (done, answer) = oneshot::channel();
        self.queue.send(Job { send, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    Error::Internal("the group-commit writer stopped".into())
}

async fn writer(deps: Deps, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(BATCH_MAX);
    while jobs.recv_many(&mut batch, BATCH_MAX).await > 0 {
        match commit(&deps, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    // A caller that went away (a closed socket) resends from its outbox later
                    // and gets this row back: nothing to do here.
                    let _ = job.done.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, sends = batch.len(), "group commit failed; no send of the batch was stored");
                for job in batch.drain(..) {
                    let _ = job.done.send(Err(Error::Internal(format!("group commit: {e}"))));
                }
            }
        }
    }
}

/// One transaction for the whole batch, one savepoint per send. `Err` means the transaction
/// itself failed and nothing was stored; `Ok` holds each send's own outcome.
async fn commit(deps: &Deps, batch: &[Job]) -> Result<Vec<Result<Stored>>> {
    let _gate = deps.write_gate.enter().await;
    let txn = deps.db.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let savepoint = txn.begin().await?;
        let outcome = store_send(&savepoint, &job.send).await;
        // Keep only what created a message: a retry's bump and a refused send roll back.
        if matches!(outcome, Ok((_, true))) {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
        }
        outcomes.push(outcome);
    }
    txn.commit().await?;
    Ok(outcomes)
}
