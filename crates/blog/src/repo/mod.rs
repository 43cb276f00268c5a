//! Every query on the blog tables. The service never builds a query itself.

pub mod articles;
pub mod bulk;
pub mod comments;
pub mod listing;
pub mod profiles;
pub mod social;
pub mod tags;
