"""Privacy: the admins' page, the processing record and the resident notice (issue 21).

Every fact comes from the running setup: the schema (described field by field in
privacy/tables/), the settings and the Celery schedule (privacy/retention.py), the staff
pages' roles (privacy/access.py), the providers chosen by the admins (privacy/locations.py)
and what a question sends (privacy/outbound.py). Nothing imports this app but arcachat.
"""
