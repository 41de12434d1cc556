"""The email-draft check: its rules, the applicant's own text in a pasted thread, and the check itself."""
