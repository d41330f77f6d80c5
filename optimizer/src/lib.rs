//! egg rule stages, cost model, join enumeration, physical planning.
