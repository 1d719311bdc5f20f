//! Reads: ranged, parallel, resumable downloads with integrity checks; log followers.
//!
//! Downloads: [`plan::build_plan`] lists what a selection picks (with safe local paths from
//! [`local_path`]), [`download::download`] fetches it and reports [`events`].

pub mod follow;
pub mod follow_counting;
pub mod follow_lines;
pub mod follow_merged;
pub mod follow_poll;
pub mod follow_ring;

pub mod download;
pub mod events;
mod fetch;
mod file;
pub mod local_path;
pub mod plan;
pub mod resume;
mod safe_fs;
pub mod verify;
