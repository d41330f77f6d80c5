//! Binder: names, scopes, catalog lookups, PostgreSQL type and operator resolution; typed IR out.
