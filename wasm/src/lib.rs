//! Browser build of the engine (interpreter backend, memory storage).
