pub mod catalog;
pub mod model;
pub mod sandbox;
pub mod store;
pub mod vault;
