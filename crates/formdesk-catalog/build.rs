//! The bundled forms are embedded with `include_dir!`, which cannot tell cargo to rebuild when a form
//! changes; this line does.
fn main() {
    println!("cargo:rerun-if-changed=../../forms");
}
