"""The assistant on the town's own website: the snippet, the sites allowed to show it, and
what changes on the embed routes (their own partitioned cookies, framing by those sites)."""
