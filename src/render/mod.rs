//! Renderers.

pub mod html;
