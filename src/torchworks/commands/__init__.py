"""CLI verbs, one module each: parse, call the library, print. No logic of their own."""
