//! A budget of database statements for one request (`MINSHENG_REQUEST_STATEMENT_LIMIT`).
//!
//! The complexity limit counts fields; what a field costs the database is estimated there, and
//! this bounds what actually runs. The budget rides with the request's task (a task-local), the
//! DataLoader's fetch tasks carry it along ([`spawn`]), and every statement the api's pools run
//! spends one ([`spend`], from sea-orm's metric callback). A request past its budget is stopped
//! where it stands, like one past its time limit, and refused. Fields resolve concurrently, so
//! statements already under way when the budget runs out finish first; the complexity limit
//! bounds how many those can be.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use futures_util::future::BoxFuture;
use tokio::sync::Notify;

tokio::task_local! {
    static BUDGET: Arc<Budget>;
}

/// How many statements a request may still run.
pub struct Budget {
    limit: usize,
    spent: AtomicUsize,
    over: Notify,
}

/// The request ran more statements than its budget allows.
#[derive(Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            spent: AtomicUsize::new(0),
            over: Notify::new(),
        })
    }

    /// A budget that never runs out: the statements are only counted.
    pub fn unlimited() -> Arc<Self> {
        Self::new(usize::MAX)
    }

    /// Statements run so far.
    pub fn spent(&self) -> usize {
        self.spent.load(Ordering::Relaxed)
    }

    /// Runs `work` under this budget; stops it when the budget runs out.
    pub async fn run<F: Future>(self: Arc<Self>, work: F) -> Result<F::Output, Exceeded> {
        let limit = self.limit;
        let over = self.over.notified();
        let work = BUDGET.scope(self.clone(), work);
        let output = tokio::select! {
            () = over => return Err(Exceeded { limit }),
            output = work => output,
        };
        // Work can run past its budget and finish in the same poll: the answer does not depend
        // on that timing.
        if self.spent.load(Ordering::Relaxed) > limit {
            return Err(Exceeded { limit });
        }
        Ok(output)
    }

    fn charge(&self) {
        if self.spent.fetch_add(1, Ordering::Relaxed).saturating_add(1) > self.limit {
            self.over.notify_one();
        }
    }
}

/// Charges one statement to the budget of the task running it, if it has one (requests of the
/// administrator, the worker's work and the api's own checks have none).
pub fn spend() {
    let _ = BUDGET.try_with(|budget| budget.charge());
}

/// Spawns a task that carries the current task's budget: the DataLoader fetches a request's
/// relations in tasks of their own.
pub fn spawn(task: BoxFuture<'static, ()>) {
    match BUDGET.try_with(Arc::clone) {
        Ok(budget) => drop(tokio::spawn(BUDGET.scope(budget, task))),
        Err(_) => drop(tokio::spawn(task)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_within_the_budget_finishes() {
        let done = Budget::new(3)
            .run(async {
                spend();
                spend();
                7
            })
            .await;
        assert_eq!(done, Ok(7));
    }

    #[tokio::test]
    async fn work_past_the_budget_is_stopped_even_in_spawned_tasks() {
        let stopped = Budget::new(2)
            .run(async {
                spend();
                spawn(Box::pin(async {
                    spend();
                    spend();
                }));
                std::future::pending::<()>().await;
            })
            .await;
        assert_eq!(stopped, Err(Exceeded { limit: 2 }));
    }

    #[tokio::test]
    async fn work_without_a_budget_is_not_counted() {
        spend();
        spawn(Box::pin(async { spend() }));
    }
}
