"""Anonymous access codes: issuing, resident sign-in, the counter desk, audit log and metering."""
