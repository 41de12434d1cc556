"""The email-draft check: its rules, the applicant's own text in a pasted thread, the check and its scoring."""
