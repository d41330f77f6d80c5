//! Engine/Session API, interpreter, shared operators, built-in functions and type I/O.
