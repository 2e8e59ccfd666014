//! HTTP clients for Microsoft's services. Base URLs are always passed in.

pub mod admin;
pub mod browser;
pub mod device;
pub mod diagnose;
pub mod error;
pub mod exchange_admin;
pub mod graph;
pub mod http;
pub mod identity;
pub mod jwt;
pub mod lag;
pub mod webhook;

pub use diagnose::{Stage, diagnose};
pub use error::{AadError, CloudError, GraphError, NetKind, NetworkError};
