//! Reads: ranged, parallel, resumable downloads with integrity checks; log followers.

pub mod follow;
pub mod follow_counting;
pub mod follow_lines;
pub mod follow_merged;
pub mod follow_poll;
pub mod follow_ring;
