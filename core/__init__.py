"""Core: staff roles and sign-in, and the small helpers every app shares (client address,
keyed hashes, sign-in lockout, per-process memos). It imports no other app of the project."""
