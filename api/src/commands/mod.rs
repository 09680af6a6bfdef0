//! Admin commands of the `api` binary besides `serve`.

pub mod account;
pub mod alias;
pub mod export;
pub mod import;
