pub mod app;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod cloud;
pub mod credential;
pub mod export;
pub mod logging;
pub mod model;
pub mod plan;
pub mod sandbox;
pub mod scope;
pub mod store;
pub mod tui;
pub mod vault;
pub mod wizard;

// Old paths, kept while the modules that name them move over.
pub use app::setup;
