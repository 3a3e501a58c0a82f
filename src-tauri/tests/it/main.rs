//! The desk app as a user meets it: a real window on a real (virtual) display.

mod window;
