//! Directory replication lag (docs/replication-lag.md): right after an object is made,
//! Microsoft Entra ID and Exchange Online may answer for seconds as if it did not exist. A call
//! that names such an object tries again, waiting longer each time, within a time budget; which
//! answers mean "not there yet" depends on what the call names.

use std::future::Future;
use std::time::Duration;

use super::error::CloudError;

/// What a call names, as far as replication lag is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// A Graph call naming an app registration or service principal made moments before.
    NewDirectoryObject,
    /// An Exchange admin cmdlet (or Graph's Exchange role management) naming a service
    /// principal or group made moments before.
    NewExchangeObject,
    /// Anything else: users, mailboxes, objects that were there before. Nothing lags.
    Existing,
}

/// Whether `e` is the answer the service gives while an object `names` refers to has not
/// reached the replica that answered: Graph's 404 `Request_ResourceNotFound`, its 400 "Not a
/// valid reference update" and "does not reference a valid application object"; Exchange's
/// "couldn't be found" (`ManagementObjectNotFoundException`).
pub fn is_lag(names: Names, e: &CloudError) -> bool {
    let CloudError::Graph(g) = e else {
        return false;
    };
    let text = g.message.to_ascii_lowercase();
    match names {
        Names::Existing => false,
        Names::NewDirectoryObject => {
            (g.status == 404 && g.code == "Request_ResourceNotFound")
                || (g.status == 400
                    && (text.contains("not a valid reference update")
                        || text.contains("does not reference a valid application object")))
        }
        Names::NewExchangeObject => {
            matches!(g.status, 400 | 404)
                && (g.code.ends_with("ManagementObjectNotFoundException")
                    || [
                        "couldn't be found",
                        "couldn't find",
                        "could not be found",
                        "could not find",
                    ]
                    .iter()
                    .any(|w| text.contains(w)))
        }
    }
}

/// How long to wait for the directory, and how the waits grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patience {
    /// The time spent waiting, in all, before giving up.
    pub budget: Duration,
    /// The first wait; each next one is twice as long, up to `longest`.
    pub first: Duration,
    pub longest: Duration,
}

impl Patience {
    /// Two minutes in all, waiting 1, 2, 4, 8, 16, 16… seconds.
    pub const DEFAULT: Patience = Patience {
        budget: Duration::from_secs(120),
        first: Duration::from_secs(1),
        longest: Duration::from_secs(16),
    };

    pub fn within(budget: Duration) -> Patience {
        Patience {
            budget,
            ..Patience::DEFAULT
        }
    }
}

impl Default for Patience {
    fn default() -> Patience {
        Patience::DEFAULT
    }
}

/// How a call that waited for the directory ended without an answer.
#[derive(Debug)]
pub enum Retried<E> {
    /// An answer that is not lag: told at once.
    Failed(E),
    /// Still the lag answer when the budget was spent: the last answer and the time waited.
    OutWaited { error: E, waited: Duration },
}

/// Runs `call` until it answers with something `lagging` does not accept, waiting between
/// tries as `patience` says; `waiting` is told the time waited so far before each new try.
pub async fn through_lag<T, E, F, Fut>(
    patience: Patience,
    lagging: impl Fn(&E) -> bool,
    mut waiting: impl FnMut(Duration),
    mut call: F,
) -> Result<T, Retried<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let (mut next, mut waited) = (patience.first, Duration::ZERO);
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if !lagging(&e) => return Err(Retried::Failed(e)),
            Err(error) if waited >= patience.budget => {
                return Err(Retried::OutWaited { error, waited });
            }
            Err(_) => {
                let pause = next.min(patience.budget - waited);
                tokio::time::sleep(pause).await;
                waited += pause;
                next = (next * 2).min(patience.longest);
                waiting(waited);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::GraphError;

    fn graph(status: u16, code: &str, message: &str) -> CloudError {
        CloudError::Graph(GraphError {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    fn not_found() -> CloudError {
        graph(
            404,
            "Request_ResourceNotFound",
            "Resource '1b2c' does not exist or one of its queried reference-property objects are not present.",
        )
    }

    #[test]
    fn graph_lag_answers_count_only_for_a_new_object() {
        let reference = graph(400, "Request_BadRequest", "Not a valid reference update.");
        let no_app = graph(
            400,
            "Request_BadRequest",
            "The appId 'x' of the service principal does not reference a valid application object.",
        );
        for e in [&not_found(), &reference, &no_app] {
            assert!(is_lag(Names::NewDirectoryObject, e), "{e}");
            // A user or mailbox that is not there is not there: a GET /users/… 404 is final.
            assert!(!is_lag(Names::Existing, e), "{e}");
        }
    }

    #[test]
    fn other_answers_are_never_lag() {
        for e in [
            graph(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            graph(
                400,
                "CredentialInvalidLifetimeAsPerAppPolicy",
                "Credential lifetime exceeds the max value allowed as per assigned policy.",
            ),
            graph(
                409,
                "Request_MultipleObjectsWithSameKeyValue",
                "Another object with the same value for property servicePrincipalNames already exists.",
            ),
            graph(
                404,
                "ErrorInvalidUser",
                "The requested user 'x@contoso.com' is invalid.",
            ),
            graph(
                400,
                "Request_BadRequest",
                "Permission being assigned was not found on application",
            ),
            graph(429, "TooManyRequests", "Too many requests."),
            CloudError::Unexpected {
                status: 404,
                detail: "not JSON".into(),
            },
        ] {
            assert!(!is_lag(Names::NewDirectoryObject, &e), "{e}");
            assert!(!is_lag(Names::NewExchangeObject, &e), "{e}");
        }
    }

    #[test]
    fn exchange_lag_is_its_couldnt_find_answer() {
        let missing = graph(
            404,
            "ManagementObjectNotFoundException",
            "The operation couldn't be performed because object 'm365mw-x' couldn't be found on 'contoso.example'.",
        );
        assert!(is_lag(Names::NewExchangeObject, &missing));
        assert!(!is_lag(Names::Existing, &missing));
        assert!(is_lag(
            Names::NewExchangeObject,
            &graph(
                400,
                "TaskArgumentException",
                "Couldn't find object \"1b2c\". Please make sure that it was spelled correctly."
            )
        ));
        for e in [
            graph(
                403,
                "OperationRequiresGroupManagerException",
                "You don't have sufficient permissions.",
            ),
            graph(
                400,
                "ADObjectAlreadyExistsException",
                "The name is already being used.",
            ),
        ] {
            assert!(!is_lag(Names::NewExchangeObject, &e), "{e}");
        }
    }

    fn quick(budget_ms: u64) -> Patience {
        Patience {
            budget: Duration::from_millis(budget_ms),
            first: Duration::from_millis(1),
            longest: Duration::from_millis(4),
        }
    }

    #[tokio::test]
    async fn lag_is_waited_out_and_told() {
        let mut tries = 0;
        let mut told = Vec::new();
        let out: Result<u32, Retried<CloudError>> = through_lag(
            quick(1000),
            |e| is_lag(Names::NewDirectoryObject, e),
            |w| told.push(w),
            || {
                tries += 1;
                let t = tries;
                async move { if t < 4 { Err(not_found()) } else { Ok(t) } }
            },
        )
        .await;
        assert_eq!(out.unwrap(), 4);
        let ms: Vec<u128> = told.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [1, 3, 7], "1, 2 and 4 ms waited, growing");
    }

    #[tokio::test]
    async fn a_final_answer_is_not_retried_and_lag_stops_at_the_budget() {
        let mut tries = 0;
        let out: Result<(), _> = through_lag(
            quick(1000),
            |e| is_lag(Names::Existing, e),
            |_| {},
            || {
                tries += 1;
                async { Err(not_found()) }
            },
        )
        .await;
        assert!(matches!(out, Err(Retried::Failed(_))));
        assert_eq!(tries, 1);
        let out: Result<(), _> = through_lag(
            quick(10),
            |e| is_lag(Names::NewDirectoryObject, e),
            |_| {},
            || async { Err(not_found()) },
        )
        .await;
        match out {
            Err(Retried::OutWaited { waited, .. }) => {
                assert_eq!(waited, Duration::from_millis(10), "never past the budget")
            }
            other => panic!("{other:?}"),
        }
    }
}
