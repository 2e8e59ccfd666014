//! A cmdlet with its parameters, written as PowerShell or as an InvokeCommand request.

use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    /// A list of values (`-P 'a','b'`; an array in an InvokeCommand request).
    List(Vec<String>),
    /// A switch: present, with no value (`true` in an InvokeCommand request).
    Switch,
    /// A boolean value (`-P $false`; `false` in an InvokeCommand request).
    Bool(bool),
    /// `MemberOfGroup -eq '<group DN>'`: the DN is known once the group exists.
    MemberOfGroup,
    /// A PowerShell expression written as it is; the automated path sends the value it
    /// stands for (the EWS allow list built from what was read).
    Expr(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmdlet {
    pub name: &'static str,
    pub params: Vec<(&'static str, Arg)>,
}

/// A PowerShell single-quoted string.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Cmdlet {
    pub(super) fn new(name: &'static str) -> Cmdlet {
        Cmdlet {
            name,
            params: Vec::new(),
        }
    }

    pub(super) fn text(mut self, p: &'static str, v: &str) -> Cmdlet {
        self.params.push((p, Arg::Text(v.to_string())));
        self
    }

    pub(super) fn list(mut self, p: &'static str, values: &[&str]) -> Cmdlet {
        let values = values.iter().map(|v| v.to_string()).collect();
        self.params.push((p, Arg::List(values)));
        self
    }

    pub(super) fn boolean(mut self, p: &'static str, v: bool) -> Cmdlet {
        self.params.push((p, Arg::Bool(v)));
        self
    }

    pub(super) fn expr(mut self, p: &'static str, e: String) -> Cmdlet {
        self.params.push((p, Arg::Expr(e)));
        self
    }

    pub(super) fn switch(mut self, p: &'static str) -> Cmdlet {
        self.params.push((p, Arg::Switch));
        self
    }

    pub fn powershell(&self) -> String {
        let mut s = self.name.to_string();
        for (p, v) in &self.params {
            let value = match v {
                Arg::Text(t) => quote(t),
                Arg::List(vs) => vs.iter().map(|v| quote(v)).collect::<Vec<_>>().join(","),
                Arg::Switch => {
                    s.push_str(&format!(" -{p}"));
                    continue;
                }
                Arg::Bool(b) => format!("${b}"),
                Arg::MemberOfGroup => {
                    "\"MemberOfGroup -eq '$($group.DistinguishedName)'\"".to_string()
                }
                Arg::Expr(e) => e.clone(),
            };
            s.push_str(&format!(" -{p} {value}"));
        }
        s
    }

    /// The `Parameters` object of an InvokeCommand request.
    pub fn parameters(&self, group_dn: Option<&str>) -> Value {
        let mut m = Map::new();
        for (p, v) in &self.params {
            let value = match v {
                Arg::Text(t) => Value::String(t.clone()),
                Arg::List(vs) => Value::from(vs.clone()),
                Arg::Switch => Value::Bool(true),
                Arg::Bool(b) => Value::Bool(*b),
                Arg::MemberOfGroup => Value::String(format!(
                    "MemberOfGroup -eq '{}'",
                    group_dn.unwrap_or_default()
                )),
                Arg::Expr(e) => Value::String(e.clone()),
            };
            m.insert((*p).to_string(), value);
        }
        Value::Object(m)
    }

    pub fn text_param(&self, p: &str) -> Option<&str> {
        self.params.iter().find_map(|(k, v)| match v {
            Arg::Text(t) if *k == p => Some(t.as_str()),
            _ => None,
        })
    }
}
