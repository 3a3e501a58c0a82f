//! The form-update channel against real repositories on disk: publishing, a desk's check and install, and
//! every attack the channel must refuse.

mod support;

mod attacks;
mod bundles;
mod catalogue;
mod crash;
mod publish;
mod tenants;
