//! Slotted pages, buffer pool, I/O backends, heap, B-tree, MVCC.
