//! Added latency and injected faults for the sandbox's endpoints.

use std::sync::Mutex;
use std::time::Duration;

/// Which part of the sandbox a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Any,
    Discovery,
    Token,
    Graph,
    /// Graph's directory calls of a setup (applications, service principals, consent).
    Admin,
    /// Exchange administration: the admin API and Graph's Exchange role management.
    Exchange,
    Ews,
    Imap,
    Pop,
    Smtp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// An HTTP status; 429 and 503 carry `Retry-After: 1`.
    Status(u16),
    /// No answer for a long time (longer than any client timeout).
    Hang,
    /// The request is carried out, then answered with 502 as if the answer was lost on its way:
    /// the service did it, the client never heard.
    Lost,
    /// Mail servers: close the connection after the first command.
    Close,
    /// Mail servers: answer with bytes that are no protocol at all.
    Garbage,
    /// Mail servers: one line that never ends.
    Endless,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub area: Area,
    pub kind: FaultKind,
    pub remaining: u32,
    /// Requests to the area that pass before the fault starts.
    pub skip: u32,
}

/// The faults still to be served, in order of the spec.
#[derive(Debug, Default)]
pub struct FaultPlan(Mutex<Vec<Fault>>);

impl FaultPlan {
    /// Parses `AREA:KIND[:COUNT][@SKIP],…`, e.g. `token:503:2,graph:429,imap:close,admin:503:3@3`.
    /// AREA is any, discovery, token, graph, admin, exchange, ews, imap, pop or smtp; KIND an HTTP status
    /// from 400 to 599, `hang`, `lost` (carried out, then answered 502; not for the mail servers),
    /// or for the mail servers also `close`, `garbage` or `endless`;
    /// COUNT defaults to 1; SKIP lets that many requests to the area pass first.
    pub fn parse(spec: &str) -> Result<FaultPlan, String> {
        let mut out = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (body, skip) = match item.split_once('@') {
                Some((b, n)) => match n.parse::<u32>() {
                    Ok(n) => (b, n),
                    Err(_) => {
                        return Err(format!(
                            "fault \"{item}\": write AREA:KIND[:COUNT][@SKIP], e.g. admin:503:3@2"
                        ));
                    }
                },
                None => (item, 0),
            };
            let parts: Vec<&str> = body.split(':').collect();
            let bad = || {
                format!("fault \"{item}\": write AREA:KIND[:COUNT], e.g. token:503:2 or graph:hang")
            };
            if !(2..=3).contains(&parts.len()) {
                return Err(bad());
            }
            let area = match parts[0] {
                "any" => Area::Any,
                "discovery" => Area::Discovery,
                "token" => Area::Token,
                "graph" => Area::Graph,
                "admin" => Area::Admin,
                "exchange" => Area::Exchange,
                "ews" => Area::Ews,
                "imap" => Area::Imap,
                "pop" => Area::Pop,
                "smtp" => Area::Smtp,
                _ => return Err(bad()),
            };
            let mail = matches!(area, Area::Imap | Area::Pop | Area::Smtp);
            let kind = match parts[1] {
                "hang" => FaultKind::Hang,
                "lost" if !mail => FaultKind::Lost,
                "close" if mail => FaultKind::Close,
                "garbage" if mail => FaultKind::Garbage,
                "endless" if mail => FaultKind::Endless,
                s => match s.parse::<u16>() {
                    Ok(code) if (400..=599).contains(&code) => FaultKind::Status(code),
                    _ => return Err(bad()),
                },
            };
            let remaining = match parts.get(2) {
                Some(n) => n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(bad)?,
                None => 1,
            };
            out.push(Fault {
                area,
                kind,
                remaining,
                skip,
            });
        }
        Ok(FaultPlan(Mutex::new(out)))
    }

    /// Takes the next fault for a request to `area`, if one is due.
    pub fn take(&self, area: Area) -> Option<FaultKind> {
        let mut faults = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let f = faults
            .iter_mut()
            .find(|f| f.remaining > 0 && (f.area == area || f.area == Area::Any))?;
        if f.skip > 0 {
            f.skip -= 1;
            return None;
        }
        f.remaining -= 1;
        Some(f.kind)
    }
}

pub const HANG: Duration = Duration::from_secs(300);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_consume() {
        let p = FaultPlan::parse("token:503:2, graph:hang").unwrap();
        assert_eq!(p.take(Area::Discovery), None);
        assert_eq!(p.take(Area::Token), Some(FaultKind::Status(503)));
        assert_eq!(p.take(Area::Token), Some(FaultKind::Status(503)));
        assert_eq!(p.take(Area::Token), None);
        assert_eq!(p.take(Area::Graph), Some(FaultKind::Hang));
        assert_eq!(p.take(Area::Graph), None);
        let any = FaultPlan::parse("any:429").unwrap();
        assert_eq!(any.take(Area::Discovery), Some(FaultKind::Status(429)));
        let later = FaultPlan::parse("admin:503:1@2").unwrap();
        assert_eq!(later.take(Area::Admin), None);
        assert_eq!(later.take(Area::Admin), None);
        assert_eq!(later.take(Area::Admin), Some(FaultKind::Status(503)));
        assert_eq!(later.take(Area::Admin), None);
        assert!(FaultPlan::parse("admin:503@x").is_err());
        let lost = FaultPlan::parse("admin:lost@1").unwrap();
        assert_eq!(lost.take(Area::Admin), None);
        assert_eq!(lost.take(Area::Admin), Some(FaultKind::Lost));
        let mail = FaultPlan::parse("imap:garbage,smtp:endless,pop:close").unwrap();
        assert_eq!(mail.take(Area::Imap), Some(FaultKind::Garbage));
        assert_eq!(mail.take(Area::Smtp), Some(FaultKind::Endless));
        assert_eq!(mail.take(Area::Pop), Some(FaultKind::Close));
    }

    #[test]
    fn bad_specs_say_how_to_write_them() {
        for bad in [
            "token",
            "token:200",
            "mail:503",
            "token:503:0",
            "graph:close",
            "imap:lost",
            "token:503:x",
            "a:b:c:d",
        ] {
            let e = FaultPlan::parse(bad).unwrap_err();
            assert!(e.contains("AREA:KIND"), "{bad}: {e}");
        }
        assert!(FaultPlan::parse("").is_ok());
    }
}
