"""The Advisor's HTTP service."""
