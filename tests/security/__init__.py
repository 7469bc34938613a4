"""Security suite of issue 8: access control, sessions, XSS, uploads, SSRF, injection, deploy."""
