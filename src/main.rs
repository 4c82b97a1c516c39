fn main() -> std::process::ExitCode {
    keep_large_blocks_out_of_the_heap();
    logmap::cli::main()
}

/// glibc serves blocks over a threshold with their own mappings, but raises the threshold to
/// the size of any such block that is freed (up to 32 MiB). The embedded tables are inflated
/// through buffers of several megabytes that are freed at once, so without this the
/// per-address tables and the map's columns, which grow by doubling, are then reallocated
/// inside the heap: each doubling copies, and the old block stays resident under the new one
/// (about 40 MB of the 1M-address map's peak). With a fixed threshold they keep their own
/// mappings, which grow in place.
fn keep_large_blocks_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of the allocator; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
